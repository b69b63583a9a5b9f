#include "scripted_faults.hpp"

#include "decoder.hpp"
#include "filler.hpp"
#include "frame_builder.hpp"
#include "overloaded.hpp"
#include "pattern.hpp"
#include "clock.hpp"

#include <algorithm>
#include <utility>

namespace closepath {
namespace {

using pcap::covers;
using pcap::index;
using pcap::reverse;

// Serial-number comparison (RFC 1982): a is after b.
bool after(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) > 0; }

constexpr std::uint32_t kInWindowOffset = 1000;  // "in-window but not exact": RCV.NXT + 1000

std::string ms_of(std::chrono::nanoseconds d) { return std::to_string(d.count() / 1'000'000) + " ms"; }

// The comment of a copy the wire makes of a frame going on (duplicate, impair's duplicate): `by` names the fault.
std::string copy_note(const std::string& by) { return std::string(note::kInjected) + ": a copy of the frame before it, " + by; }

}  // namespace

void ScriptedFaults::track(Dir dir, std::span<const std::uint8_t> frame, const pcap::Segment& seg) {
  Tracked& s = sides_[index(dir)];
  s.seen = true;
  std::copy_n(frame.begin() + 6, 6, s.mac.begin());
  s.ip = seg.src.addr;
  s.port = seg.src.port;
  // A SYN with a new sequence number begins the port pair's next connection
  // (time_wait_reuse): numbers and FINs start afresh, the peer's from its SYN-ACK.
  const bool new_syn = (seg.flags & pcap::kSyn) && s.based && seg.seq != s.isn;
  if (new_syn && !(seg.flags & pcap::kAck)) {
    Tracked& peer = sides_[index(reverse(dir))];
    peer.based = false;
    peer.fin_end = 0;
  }
  if (!s.based || new_syn) {
    s.based = true;
    s.fin_end = 0;
    s.isn = (seg.flags & pcap::kSyn) ? seg.seq : seg.seq - 1;
    s.snd_nxt = seg.seq;
  }
  const std::uint32_t end = seg.seq + seg.payload_len + ((seg.flags & pcap::kSyn) ? 1 : 0) +
                            ((seg.flags & pcap::kFin) ? 1 : 0);
  if (after(end, s.snd_nxt)) s.snd_nxt = end;
  if (seg.flags & pcap::kFin) s.fin_end = end;
  if (seg.flags & pcap::kAck) s.ack = seg.ack;
  s.win = seg.window;
  if (seg.options.timestamps) s.ts_val = seg.options.ts_val;
}

std::optional<pcap::FlowPacket> ScriptedFaults::number(Dir dir, const std::optional<pcap::Segment>& seg) {
  if (!seg) return std::nullopt;
  if (!flow_) flow_.emplace(dir == Dir::c2s ? seg->src.addr : seg->dst.addr);
  const auto* p = flow_->add(seen_.size(), 0, *seg);
  return p ? std::optional(*p) : std::nullopt;
}

void ScriptedFaults::release_holds(const std::optional<pcap::FlowPacket>& packet, WireDecision& d) {
  // A packet a hold waits for releases that hold once it has passed.
  std::erase_if(rules_, [&](const Rule& r) {
    if (r.kind != Rule::Kind::hold || !r.until || !packet || !pcap::packet_matches(*r.until, *packet)) return false;
    d.release.push_back(r.hold);
    return true;
  });
}

// The rule that takes this frame: one that drops it (blackhole, drop) before
// one that holds it, before a delay.
ScriptedFaults::Rule* ScriptedFaults::taker(Dir dir, const std::optional<pcap::FlowPacket>& packet) {
  auto takes = [&](const Rule& r) {
    if (!covers(r.dirs, dir)) return false;
    if (r.kind == Rule::Kind::drop && r.left == 0) return false;
    return !r.match || (packet && pcap::packet_matches(*r.match, *packet));
  };
  using K = Rule::Kind;
  for (const auto tier : {std::initializer_list<K>{K::blackhole, K::drop}, {K::hold}, {K::delay}})
    for (auto& r : rules_)
      if (std::find(tier.begin(), tier.end(), r.kind) != tier.end() && takes(r)) return &r;
  return nullptr;
}

void ScriptedFaults::take(Rule& r, Dir dir, WireDecision& d) {
  using Effect = FaultMark::Effect;
  switch (r.kind) {
    case Rule::Kind::drop: --r.left; [[fallthrough]];
    case Rule::Kind::blackhole:
      d.action = WireDecision::Action::drop;
      d.note = std::string(note::kDropped) + " '" + r.label + "'";
      d.marks.push_back({Effect::dropped, r.step});
      return;
    case Rule::Kind::hold: {
      d.action = WireDecision::Action::hold;
      d.hold = r.hold;
      d.note = "held by fault '" + r.label + "'";
      d.marks.push_back({Effect::held, r.step});
      const auto delay = std::find_if(rules_.begin(), rules_.end(),
                                      [&](const Rule& x) { return x.kind == Rule::Kind::delay && covers(x.dirs, dir); });
      if (delay != rules_.end()) {  // the path's delay still applies once the hold lets it go
        d.delay = delay->delay;
        d.note += "; then delayed " + ms_of(delay->delay) + " by fault '" + delay->label + "'";
        d.marks.push_back({Effect::delayed, delay->step});
      }
      return;
    }
    case Rule::Kind::duplicate: return;  // never takes a frame: duplicate() copies one that goes on
    case Rule::Kind::delay:
      d.action = WireDecision::Action::delay;
      d.delay = r.delay;
      d.note = "delayed " + ms_of(r.delay) + " by fault '" + r.label + "'";
      d.marks.push_back({Effect::delayed, r.step});
      return;
  }
}

void ScriptedFaults::duplicate(Dir dir, std::span<const std::uint8_t> frame, const pcap::FlowPacket& packet, WireDecision& d) {
  for (auto& r : rules_) {
    if (r.kind != Rule::Kind::duplicate || r.left == 0 || !covers(r.dirs, dir) || !pcap::packet_matches(*r.match, packet)) continue;
    --r.left;
    d.copy = Injection{dir, {frame.begin(), frame.end()}, {FaultMark::Effect::injected, r.step},
                       copy_note("by fault '" + r.label + "'")};
    d.copy_delay = d.delay;  // a delayed original's copy is delayed as much: it stays right behind it
    if (d.copy_delay.count() > 0) d.copy->note += ", delayed " + ms_of(d.copy_delay) + " as it is";
    return;
  }
}

WireDecision ScriptedFaults::on_frame(Dir dir, std::span<const std::uint8_t> frame) {
  std::lock_guard lock(mutex_);
  const auto seg = pcap::decode_ethernet(frame);
  const auto packet = number(dir, seg);
  WireDecision d;
  release_holds(packet, d);
  if (Rule* r = taker(dir, packet)) take(*r, dir, d);
  const bool goes_on = d.action == WireDecision::Action::forward || d.action == WireDecision::Action::delay;
  if (goes_on && packet) duplicate(dir, frame, *packet, d);
  if (d.action != WireDecision::Action::drop) impair(dir, frame, d);
  if (d.action != WireDecision::Action::drop) {
    if (const auto& netem = netem_[index(dir)]) {
      d.note += (d.note.empty() ? "" : "; ") + netem->note;
      d.marks.push_back({FaultMark::Effect::netem, netem->step});
    }
    if (seg) track(dir, frame, *seg);
  }
  seen_.push_back(packet);
  return d;
}

void ScriptedFaults::set_seed(std::uint64_t seed) {
  std::lock_guard lock(mutex_);
  seed_ = seed;
}

// The new delay replaces the old one in the directions it names (0 ends it there).
void ScriptedFaults::set_delay(const Delay& a, std::size_t step, const std::string& label) {
  std::erase_if(rules_, [&](Rule& r) {
    if (r.kind != Rule::Kind::delay) return false;
    if (a.dirs == Dirs::both || r.dirs == a.dirs) return true;
    if (r.dirs == Dirs::both) r.dirs = a.dirs == Dirs::c2s ? Dirs::s2c : Dirs::c2s;
    return false;
  });
  if (a.by.count() > 0)
    rules_.push_back({.kind = Rule::Kind::delay, .dirs = a.dirs, .delay = std::chrono::nanoseconds(a.by), .step = step, .label = label});
}

void ScriptedFaults::set_impairment(const Impair& a, std::size_t step, const std::string& label) {
  for (Dir dir : {Dir::c2s, Dir::s2c}) {
    if (!covers(a.dirs, dir)) continue;
    auto& on = impair_[index(dir)];
    on.reset();
    if (a.model) on.emplace(ImpairOn{Impairment(*a.model, a.seed.value_or(seed_), dir, label), step});
  }
}

void ScriptedFaults::impair(Dir dir, std::span<const std::uint8_t> frame, WireDecision& d) {
  auto& on = impair_[index(dir)];
  if (!on) return;
  using Effect = FaultMark::Effect;
  const auto i = on->impairment.next(frame.size(), checksummed_from(frame), protocol::now_ns(CLOCK_MONOTONIC));
  if (i.note.empty()) return;
  d.note += (d.note.empty() ? "" : "; ") + i.note;
  if (i.lost) {
    d.action = WireDecision::Action::drop;
    d.copy.reset();
    d.marks.push_back({Effect::dropped, on->step});
    return;
  }
  if (i.corrupt_byte) {
    d.bytes.emplace(frame.begin(), frame.end());
    (*d.bytes)[*i.corrupt_byte] ^= static_cast<std::uint8_t>(1u << i.corrupt_bit);
    d.marks.push_back({Effect::corrupted, on->step});
  }
  if (i.reordered) d.marks.push_back({Effect::reordered, on->step});
  if (i.delay_ns > 0) {
    if (d.action == WireDecision::Action::forward) d.action = WireDecision::Action::delay;
    d.delay += std::chrono::nanoseconds(i.delay_ns);  // after an exact delay, or once a hold lets it go
    d.marks.push_back({Effect::delayed, on->step});
    if (d.copy) d.copy_delay = d.delay;  // an exact duplicate's copy stays right behind its original
  }
  if (i.duplicated && !d.copy) {
    d.copy = Injection{dir, {frame.begin(), frame.end()}, {Effect::injected, on->step},
                       copy_note("by impair '" + on->impairment.label() + "' (seed " + std::to_string(on->impairment.seed()) + ")")};
    d.copy_delay = std::chrono::nanoseconds(i.copy_delay_ns);
  }
}

void ScriptedFaults::frame_handled() {
  {
    std::lock_guard lock(mutex_);
    handled_ = seen_.size();
  }
  handled_cv_.notify_all();
}

void ScriptedFaults::injected(const std::vector<Injection>& frames) {
  {
    std::lock_guard lock(mutex_);
    for (const auto& inj : frames) seen_.push_back(number(inj.travels, pcap::decode_ethernet(inj.frame)));
    handled_ = seen_.size();
  }
  handled_cv_.notify_all();
}

std::size_t ScriptedFaults::handled() {
  std::lock_guard lock(mutex_);
  return handled_;
}

void ScriptedFaults::wake_waiters() {
  { std::lock_guard lock(mutex_); }  // a waiter between its check and its wait cannot miss this
  handled_cv_.notify_all();
}

std::size_t ScriptedFaults::matching(const pcap::PacketPattern& match, std::size_t from) const {
  std::size_t n = 0;
  for (std::size_t i = from; i < handled_; ++i)
    if (seen_[i] && pcap::packet_matches(match, *seen_[i])) ++n;
  return n;
}

pcap::TcpFrameSpec ScriptedFaults::spec_between(const Tracked& from, const Tracked& to) const {
  pcap::TcpFrameSpec spec;
  spec.src_mac = from.mac;
  spec.dst_mac = to.mac;
  spec.src_ip = from.ip;
  spec.dst_ip = to.ip;
  spec.sport = from.port;
  spec.dport = to.port;
  return spec;
}

// inject DIR FLAGS ...: spoofed from DIR's sender, seq from its SND.NXT and ack from its RCV.NXT (what the other end sent).
std::optional<Injection> ScriptedFaults::segment(const InjectedSegment& seg, std::size_t step, const std::string& label) {
  const Tracked& from = sides_[index(seg.dir)];
  const Tracked& to = sides_[index(reverse(seg.dir))];
  if (!from.seen || !to.seen) return std::nullopt;
  auto spec = spec_between(from, to);
  spec.seq = from.snd_nxt + static_cast<std::uint32_t>(seg.seq);
  spec.ack = (seg.flags & pcap::kAck) ? to.snd_nxt + static_cast<std::uint32_t>(seg.ack) : 0;
  spec.flags = seg.flags;
  spec.window = seg.win.value_or(from.win);
  spec.payload = protocol::filler<std::uint8_t>(seg.len);
  spec.options = seg.options;
  if (seg.options.timestamps) {
    spec.options.ts_val = from.ts_val + static_cast<std::uint32_t>(seg.ts_offset);
    spec.options.ts_ecr = to.ts_val;
  }
  auto signed_text = [](std::int64_t v) { return (v < 0 ? "- " : "+ ") + std::to_string(v < 0 ? -v : v); };
  const std::string sender = seg.dir == Dir::c2s ? "client" : "server";
  return Injection{seg.dir, pcap::build_tcp_frame(spec), {FaultMark::Effect::injected, step},
                   std::string(note::kInjected) + " " + pcap::to_string(seg.dir) + " " + pcap::flag_letters(seg.flags) +
                       " by fault '" + label + "' (seq = the " + sender + "'s SND.NXT " + signed_text(seg.seq) +
                       ((seg.flags & pcap::kAck) ? ", ack = its RCV.NXT " + signed_text(seg.ack) : std::string()) +
                       (seg.len ? ", " + std::to_string(seg.len) + " bytes" : std::string()) +
                       (seg.options.timestamps ? ", TSval = its last " + signed_text(seg.ts_offset) : std::string()) + ")"};
}

std::optional<Injection> ScriptedFaults::rst_toward(closepath::Side end, bool exact, std::size_t step, const std::string& label) {
  // A RST toward the server travels c>s, spoofed from the client, and the other way round.
  const Dir travels = toward(end);
  const Tracked& from = sides_[index(travels)];
  const Tracked& to = sides_[index(reverse(travels))];
  if (!from.seen || !to.seen) return std::nullopt;
  auto spec = spec_between(from, to);
  spec.seq = from.snd_nxt + (exact ? 0 : kInWindowOffset);
  spec.ack = to.snd_nxt;
  spec.flags = pcap::kRst | pcap::kAck;
  const std::string whom = to_string(end);
  return Injection{travels, pcap::build_tcp_frame(spec), {FaultMark::Effect::injected, step},
                   std::string(note::kInjected) + " RST toward the " + whom + " by fault '" + label + "' (seq = " + whom + "'s RCV.NXT" +
                       (exact ? "" : " + " + std::to_string(kInWindowOffset) + ": in window, not exact") + ")"};
}

// The injections go out with the wire's next work; nullopt, or why there is nothing to inject into. mutex_ held.
std::optional<std::string> ScriptedFaults::inject(const Inject& a, std::size_t step, const std::string& label) {
  if (a.segment) {
    auto inj = segment(*a.segment, step, label);
    if (!inj) return "no connection on the wire yet: nothing to inject into";
    work_.inject.push_back(std::move(*inj));
    return std::nullopt;
  }
  for (closepath::Side end : {Side::server, Side::client}) {  // c>s first when both
    if (std::find(a.toward.begin(), a.toward.end(), end) == a.toward.end()) continue;
    auto inj = rst_toward(end, a.exact, step, label);
    if (!inj) return "no connection on the wire yet: nothing to reset";
    work_.inject.push_back(std::move(*inj));
  }
  return std::nullopt;
}

std::optional<std::string> ScriptedFaults::apply(const WireAction& action, std::size_t step, const std::string& label) {
  std::lock_guard lock(mutex_);
  auto drop_kinds = [&](std::initializer_list<Rule::Kind> kinds) {
    std::erase_if(rules_, [&](const Rule& r) { return std::find(kinds.begin(), kinds.end(), r.kind) != kinds.end(); });
  };
  std::optional<std::string> problem;
  std::visit(
      overloaded{
          [&](const Blackhole& a) { rules_.push_back({.kind = Rule::Kind::blackhole, .dirs = a.dirs, .step = step, .label = label}); },
          [&](const Heal&) {
            drop_kinds({Rule::Kind::blackhole, Rule::Kind::drop, Rule::Kind::delay, Rule::Kind::hold});
            impair_ = {};
            work_.release_all = true;
            work_.released = FaultMark{FaultMark::Effect::released, step};
          },
          [&](const Drop& a) {
            rules_.push_back({.kind = Rule::Kind::drop, .dirs = pcap::only(a.match.dir), .match = a.match, .left = a.count,
                              .step = step, .label = label});
          },
          [&](const Duplicate& a) {
            rules_.push_back({.kind = Rule::Kind::duplicate, .dirs = pcap::only(a.match.dir), .match = a.match, .left = a.count,
                              .step = step, .label = label});
          },
          [&](const Hold& a) {
            rules_.push_back({.kind = Rule::Kind::hold, .dirs = pcap::only(a.match.dir), .match = a.match, .until = a.until,
                              .hold = next_hold_++, .step = step, .label = label});
          },
          [&](const Release& a) {
            work_.released = FaultMark{FaultMark::Effect::released, step};
            if (a.count) {  // the holds go on holding
              work_.release_oldest += *a.count;
              return;
            }
            drop_kinds({Rule::Kind::hold});
            work_.release_all = true;
          },
          [&](const Delay& a) { set_delay(a, step, label); },
          [&](const Inject& a) { problem = inject(a, step, label); },
          [&](const Impair& a) { set_impairment(a, step, label); },
          [&](const Netem& a) {
            // Applied by the runner with tc; the program only annotates what passes it.
            std::string args;
            for (const auto& w : a.args) args += (args.empty() ? "" : " ") + w;
            for (Dir d : {Dir::c2s, Dir::s2c})
              if (covers(a.dirs, d))
                netem_[index(d)] = NetemOn{step, "then netem '" + args + "' by '" + label + "' (after this capture point)"};
          },
      },
      action);
  return problem;
}

WireWork ScriptedFaults::take_work() {
  std::lock_guard lock(mutex_);
  return std::exchange(work_, WireWork{});
}

}  // namespace closepath
