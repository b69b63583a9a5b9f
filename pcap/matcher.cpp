#include "matcher.hpp"

#include <cstdint>
#include <unordered_set>

namespace closepath::pcap {
namespace {

// A Pike VM over the packets: one pass, carrying every place in the pattern
// list the packets so far can have led to ("threads"), in the order a
// backtracking matcher would try them (a run takes another packet before
// moving on; "..." takes as few as it can). Time and memory are linear in
// packets x threads, and nothing recurses per packet, so a capture of any
// length is judged in one pass. The first thread to reach the end of the
// list with the last packet is the match a backtracker would have found
// first; without one, the mismatch reported is the one that got furthest
// through the patterns, then the packets (see note()).
class SequenceMatcher {
 public:
  SequenceMatcher(const std::vector<PatternElement>& patterns, const std::vector<FlowPacket>& packets,
                  const std::vector<std::int64_t>& anchors)
      : patterns_(patterns), packets_(packets), anchors_(anchors) {}

  std::optional<Mismatch> run(std::vector<Assigned>* assignment) {
    std::vector<Thread> now, next;
    add(now, {0, 0, kNoStep});
    for (std::size_t k = 0; k < packets_.size() && !now.empty(); ++k) {
      next.clear();
      seen_.clear();
      for (const auto& t : now) step(t, k, next);
      std::swap(now, next);
    }
    if (now.empty()) return best();
    for (const auto& t : now) {
      if (t.e == patterns_.size()) {
        if (assignment) *assignment = path_of(t.path);
        return std::nullopt;
      }
      if (const auto* run = std::get_if<PacketRun>(&patterns_[t.e]); run && t.done < run->min)
        note(packets_.size(), t.e, t.path, [&] {
          return "pattern " + std::to_string(t.e + 1) + " '" + to_string(patterns_[t.e]) +
                 "': expected a packet but the capture ended after " + std::to_string(packets_.size()) + " packets";
        });
    }
    return best();
  }

 private:
  static constexpr std::uint32_t kNoStep = UINT32_MAX;
  struct Thread {
    std::size_t e = 0;     // pattern index (patterns_.size(): the list is done)
    std::size_t done = 0;  // packets pattern e has taken so far
    std::uint32_t path = kNoStep;  // the last packet this thread assigned, in steps_
  };
  struct Taken {  // packet `packet` went to pattern `pattern`, after `parent`
    Assigned assigned;
    std::uint32_t parent = kNoStep;
  };

  // Two threads at the same place behave the same from here on: the first
  // (higher priority) one stands for both. Past a run's minimum, an unbounded
  // run's count no longer matters.
  std::uint64_t place(const Thread& t) const {
    std::size_t done = t.done;
    if (t.e < patterns_.size())
      if (const auto* run = std::get_if<PacketRun>(&patterns_[t.e]); run && run->max == kUnbounded)
        done = std::min(done, run->min);
    return (static_cast<std::uint64_t>(t.e) << 32) | static_cast<std::uint32_t>(done);
  }

  // Adds t, and the places reachable from it without taking a packet, in
  // priority order. Recursion depth is bounded by the number of patterns.
  void add(std::vector<Thread>& list, const Thread& t) {
    if (!seen_.insert(place(t)).second) return;
    if (t.e == patterns_.size()) {
      list.push_back(t);
      return;
    }
    if (std::holds_alternative<AnyPackets>(patterns_[t.e])) {
      add(list, {t.e + 1, 0, t.path});  // "..." first lets the list go on
      list.push_back(t);                 // then takes the packet
      return;
    }
    const auto& run = std::get<PacketRun>(patterns_[t.e]);
    if (t.done < run.max) list.push_back(t);  // a run first takes the packet
    if (t.done >= run.min) add(list, {t.e + 1, 0, t.path});
  }

  // What thread t does with packet k.
  void step(const Thread& t, std::size_t k, std::vector<Thread>& next) {
    if (t.e == patterns_.size()) {
      note(k, std::nullopt, t.path, [&] {
        return frame_label(packets_[k]) + ": not expected (the pattern list ends before it; add it or '...')";
      });
      return;
    }
    if (std::holds_alternative<AnyPackets>(patterns_[t.e])) {
      add(next, t);
      return;
    }
    const auto& run = std::get<PacketRun>(patterns_[t.e]);
    std::string why;
    const MatchTime time{k > 0 ? &packets_[k - 1] : nullptr, &anchors_};
    if (packet_matches(run.packet, packets_[k], &why, time)) {
      steps_.push_back({{t.e, k}, t.path});
      add(next, {t.e, t.done + 1, static_cast<std::uint32_t>(steps_.size() - 1)});
    } else if (t.done < run.min) {
      note(k, t.e, t.path, [&] {
        return frame_label(packets_[k]) + ": pattern " + std::to_string(t.e + 1) + " '" + to_string(patterns_[t.e]) + "': " + why;
      });
    }
  }

  std::vector<Assigned> path_of(std::uint32_t at) const {
    std::vector<Assigned> path;
    for (; at != kNoStep; at = steps_[at].parent) path.push_back(steps_[at].assigned);
    return {path.rbegin(), path.rend()};
  }

  // The most telling failure is the one that got furthest through the
  // patterns, then through the packets (a "..." that swallowed the rest of
  // the capture must not hide a real mismatch further down the list).
  // `message` makes the text only for a mismatch that is the best so far:
  // a thread past the last pattern meets every packet that follows.
  template <typename Message>
  void note(std::size_t k, std::optional<std::size_t> e, std::uint32_t path, Message message) {
    const auto key = std::pair{e.value_or(patterns_.size()), k};
    if (!best_ || key > best_key_) {
      best_key_ = key;
      // The path is walked once, at the end: walking it here, at every packet a finished list meets, made a long capture quadratic.
      best_ = Mismatch{e, k < packets_.size() ? std::optional(k) : std::nullopt, message(), {}};
      best_path_ = path;
    }
  }

  const std::vector<PatternElement>& patterns_;
  const std::vector<FlowPacket>& packets_;
  const std::vector<std::int64_t>& anchors_;
  std::unordered_set<std::uint64_t> seen_;  // places already added for the current packet
  std::vector<Taken> steps_;                // every assignment any thread made, linked to its parent
  std::optional<Mismatch> best() const {
    if (!best_) return std::nullopt;
    auto m = *best_;
    m.assigned = path_of(best_path_);
    return m;
  }

  std::optional<Mismatch> best_;
  std::uint32_t best_path_ = kNoStep;  // the packets the best mismatch's thread had assigned, in steps_
  std::pair<std::size_t, std::size_t> best_key_{0, 0};
};

}  // namespace

std::optional<Mismatch> match_sequence(const std::vector<PatternElement>& patterns,
                                       const std::vector<FlowPacket>& packets,
                                       const std::vector<std::int64_t>& anchors, std::vector<Assigned>* assignment) {
  return SequenceMatcher(patterns, packets, anchors).run(assignment);
}

std::optional<Mismatch> match_forbidden(const std::vector<PacketPattern>& forbidden,
                                        const std::vector<FlowPacket>& packets) {
  for (std::size_t k = 0; k < packets.size(); ++k)
    for (std::size_t f = 0; f < forbidden.size(); ++f)
      if (packet_matches(forbidden[f], packets[k]))
        return Mismatch{f, k, frame_label(packets[k]) +
                                  ": matches forbidden pattern '" + to_string(forbidden[f]) + "'", {}};
  return std::nullopt;
}

}  // namespace closepath::pcap
