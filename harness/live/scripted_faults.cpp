#include "scripted_faults.hpp"

#include "decoder.hpp"
#include "frame_builder.hpp"
#include "overloaded.hpp"
#include "pattern.hpp"

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

}  // namespace

void ScriptedFaults::track(Dir dir, std::span<const std::uint8_t> frame) {
  const auto seg = pcap::decode_ethernet(frame);
  if (!seg) return;
  Tracked& s = sides_[index(dir)];
  s.seen = true;
  std::copy_n(frame.begin() + 6, 6, s.mac.begin());
  s.ip = seg->src.addr;
  s.port = seg->src.port;
  // A SYN with a new sequence number begins the port pair's next connection
  // (time_wait_reuse): numbers and FINs start afresh, the peer's from its SYN-ACK.
  const bool new_syn = (seg->flags & pcap::kSyn) && s.based && seg->seq != s.isn;
  if (new_syn && !(seg->flags & pcap::kAck)) {
    Tracked& peer = sides_[index(reverse(dir))];
    peer.based = false;
    peer.fin_end = 0;
  }
  if (!s.based || new_syn) {
    s.based = true;
    s.fin_end = 0;
    s.isn = (seg->flags & pcap::kSyn) ? seg->seq : seg->seq - 1;
    s.snd_nxt = seg->seq;
  }
  const std::uint32_t end = seg->seq + seg->payload_len + ((seg->flags & pcap::kSyn) ? 1 : 0) +
                            ((seg->flags & pcap::kFin) ? 1 : 0);
  if (after(end, s.snd_nxt)) s.snd_nxt = end;
  if (seg->flags & pcap::kFin) s.fin_end = end;
  if (seg->flags & pcap::kAck) {
    s.ack = seg->ack;
    s.window = seg->window;
  }
}

std::optional<pcap::FlowPacket> ScriptedFaults::relative(Dir dir, std::span<const std::uint8_t> frame) const {
  const auto seg = pcap::decode_ethernet(frame);
  if (!seg) return std::nullopt;
  const Tracked& me = sides_[index(dir)];
  const Tracked& peer = sides_[index(reverse(dir))];
  pcap::FlowPacket p;
  p.dir = dir;
  p.flags = seg->flags;
  p.len = seg->payload_len;
  p.seq = seg->seq - (me.based ? me.isn : ((seg->flags & pcap::kSyn) ? seg->seq : seg->seq - 1));
  if (seg->flags & pcap::kAck) p.ack = seg->ack - (peer.based ? peer.isn : seg->ack - 1);
  p.peer_fin = peer.based && peer.fin_end ? peer.fin_end - peer.isn : 0;
  return p;
}

WireDecision ScriptedFaults::on_frame(Dir dir, std::span<const std::uint8_t> frame) {
  std::lock_guard lock(mutex_);
  const auto packet = relative(dir, frame);
  auto matches = [&](const std::optional<pcap::PacketPattern>& p) { return p && packet && pcap::packet_matches(*p, *packet); };

  WireDecision d;
  // A packet a hold waits for releases that hold once it has passed.
  for (auto it = rules_.begin(); it != rules_.end();) {
    if (it->kind == Rule::Kind::hold && matches(it->until)) {
      d.release.push_back(it->hold);
      it = rules_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& r : rules_) {
    if (!covers(r.dirs, dir)) continue;
    switch (r.kind) {
      case Rule::Kind::blackhole:
        d.action = WireDecision::Action::drop;
        d.note = std::string(note::kDropped) + " '" + r.label + "'";
        break;
      case Rule::Kind::drop:
        if (r.left == 0 || !matches(r.match)) continue;
        --r.left;
        d.action = WireDecision::Action::drop;
        d.note = std::string(note::kDropped) + " '" + r.label + "'";
        break;
      case Rule::Kind::hold:
        if (!matches(r.match)) continue;
        d.action = WireDecision::Action::hold;
        d.hold = r.hold;
        d.note = "held by fault '" + r.label + "'";
        break;
      case Rule::Kind::delay:
        d.action = WireDecision::Action::delay;
        d.delay = r.delay;
        d.note = "delayed " + std::to_string(r.delay.count() / 1'000'000) + " ms by fault '" + r.label + "'";
        break;
    }
    break;  // the first rule that takes the frame decides
  }
  if (d.action != WireDecision::Action::drop && !netem_[index(dir)].empty())
    d.note += (d.note.empty() ? "" : "; ") + netem_[index(dir)];
  if (d.action != WireDecision::Action::drop) track(dir, frame);
  seen_.push_back(packet);
  return d;
}

void ScriptedFaults::frame_handled() {
  {
    std::lock_guard lock(mutex_);
    handled_ = seen_.size();
  }
  handled_cv_.notify_all();
}

void ScriptedFaults::wake_waiters() {
  { std::lock_guard lock(mutex_); }  // a waiter between its check and its wait cannot miss this
  handled_cv_.notify_all();
}

std::size_t ScriptedFaults::matching(const pcap::PacketPattern& match) const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < handled_; ++i)
    if (seen_[i] && pcap::packet_matches(match, *seen_[i])) ++n;
  return n;
}

std::optional<Injection> ScriptedFaults::rst_toward(closepath::Side end, bool exact, const std::string& label) {
  // A RST toward the server travels c>s, spoofed from the client, and the other way round.
  const Dir travels = toward(end);
  const Tracked& from = sides_[index(travels)];
  const Tracked& to = sides_[index(reverse(travels))];
  if (!from.seen || !to.seen) return std::nullopt;
  pcap::TcpFrameSpec spec;
  spec.src_mac = from.mac;
  spec.dst_mac = to.mac;
  spec.src_ip = from.ip;
  spec.dst_ip = to.ip;
  spec.sport = from.port;
  spec.dport = to.port;
  spec.seq = from.snd_nxt + (exact ? 0 : kInWindowOffset);
  spec.ack = to.snd_nxt;
  spec.flags = pcap::kRst | pcap::kAck;
  const std::string whom = to_string(end);
  return Injection{travels, pcap::build_tcp_frame(spec),
                   std::string(note::kInjected) + " toward the " + whom + " by fault '" + label + "' (seq = " + whom + "'s RCV.NXT" +
                       (exact ? "" : " + " + std::to_string(kInWindowOffset) + ": in window, not exact") + ")"};
}

std::optional<std::string> ScriptedFaults::apply(const WireAction& action, const std::string& label) {
  std::lock_guard lock(mutex_);
  auto drop_kinds = [&](std::initializer_list<Rule::Kind> kinds) {
    std::erase_if(rules_, [&](const Rule& r) { return std::find(kinds.begin(), kinds.end(), r.kind) != kinds.end(); });
  };
  std::optional<std::string> problem;
  std::visit(
      overloaded{
          [&](const Blackhole& a) { rules_.push_back({.kind = Rule::Kind::blackhole, .dirs = a.dirs, .label = label}); },
          [&](const Heal&) {
            drop_kinds({Rule::Kind::blackhole, Rule::Kind::drop, Rule::Kind::delay, Rule::Kind::hold});
            work_.release_all = true;
          },
          [&](const Drop& a) {
            rules_.push_back(
                {.kind = Rule::Kind::drop, .dirs = pcap::only(a.match.dir), .match = a.match, .left = a.count, .label = label});
          },
          [&](const Hold& a) {
            rules_.push_back({.kind = Rule::Kind::hold, .dirs = pcap::only(a.match.dir), .match = a.match, .until = a.until,
                              .hold = next_hold_++, .label = label});
          },
          [&](const Release&) {
            drop_kinds({Rule::Kind::hold});
            work_.release_all = true;
          },
          [&](const Delay& a) {
            std::erase_if(rules_, [&](const Rule& r) { return r.kind == Rule::Kind::delay && (r.dirs == a.dirs || a.dirs == Dirs::both); });
            if (a.by.count() > 0)
              rules_.push_back({.kind = Rule::Kind::delay, .dirs = a.dirs, .delay = std::chrono::nanoseconds(a.by), .label = label});
          },
          [&](const InjectRst& a) {
            for (closepath::Side end : {Side::server, Side::client}) {  // c>s first when both
              if (std::find(a.toward.begin(), a.toward.end(), end) == a.toward.end()) continue;
              if (auto inj = rst_toward(end, a.exact, label)) work_.inject.push_back(std::move(*inj));
              else problem = "no connection on the wire yet: nothing to reset";
            }
          },
          [&](const Netem& a) {
            // Applied by the runner with tc; the program only annotates what passes it.
            std::string args;
            for (const auto& w : a.args) args += (args.empty() ? "" : " ") + w;
            for (Dir d : {Dir::c2s, Dir::s2c})
              if (covers(a.dirs, d)) netem_[index(d)] = "then netem '" + args + "' by '" + label + "' (after this capture point)";
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
