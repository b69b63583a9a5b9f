// The matcher closepath had before the one-pass matcher (matcher.cpp): a
// backtracking search over (pattern, repetition, packet) with memoised
// failures. Kept here only as the oracle of matcher_test's differential test:
// it recurses once per packet, so it is for short sequences only.
#pragma once

#include "matcher.hpp"

#include <set>
#include <tuple>

namespace closepath::pcap::test {

class BacktrackingMatcher {
 public:
  BacktrackingMatcher(const std::vector<PatternElement>& patterns, const std::vector<FlowPacket>& packets,
                  const std::vector<std::int64_t>& anchors)
      : patterns_(patterns), packets_(packets), anchors_(anchors) {}

  std::optional<Mismatch> run(std::vector<Assigned>* assignment) {
    if (match(0, 0, 0)) {
      if (assignment) *assignment = path_;
      return std::nullopt;
    }
    return best_;
  }

 private:
  // e: pattern index, done: repetitions of pattern e consumed so far, k: packet index
  bool match(std::size_t e, std::size_t done, std::size_t k) {
    if (!failed_.insert({e, done, k}).second) return false;
    if (e == patterns_.size()) {
      if (k == packets_.size()) return true;
      note(k, std::nullopt, frame_label(packets_[k]) +
                                ": not expected (the pattern list ends before it; add it or '...')");
      return false;
    }
    if (std::holds_alternative<AnyPackets>(patterns_[e])) {
      for (std::size_t j = k; j <= packets_.size(); ++j)
        if (match(e + 1, 0, j)) return true;
      return false;
    }
    const auto& run = std::get<PacketRun>(patterns_[e]);
    if (done < run.max) {
      if (k < packets_.size()) {
        std::string why;
        const MatchTime time{k > 0 ? &packets_[k - 1] : nullptr, &anchors_};
        if (packet_matches(run.packet, packets_[k], &why, time)) {
          path_.push_back({e, k});
          if (match(e, done + 1, k + 1)) return true;
          path_.pop_back();
        } else if (done < run.min) {
          note(k, e, frame_label(packets_[k]) + ": pattern " +
                         std::to_string(e + 1) + " '" + to_string(patterns_[e]) + "': " + why);
        }
      } else if (done < run.min) {
        note(k, e, "pattern " + std::to_string(e + 1) + " '" + to_string(patterns_[e]) +
                       "': expected a packet but the capture ended after " + std::to_string(packets_.size()) +
                       " packets");
      }
    }
    if (done >= run.min) return match(e + 1, 0, k);
    return false;
  }

  // The most telling failure is the one that got furthest through the
  // patterns, then through the packets (a "..." that swallowed the rest of
  // the capture must not hide a real mismatch further down the list).
  void note(std::size_t k, std::optional<std::size_t> e, std::string message) {
    const auto key = std::pair{e.value_or(patterns_.size()), k};
    if (!best_ || key > best_key_) {
      best_key_ = key;
      best_ = Mismatch{e, k < packets_.size() ? std::optional(k) : std::nullopt, std::move(message), {}};
    }
  }

  const std::vector<PatternElement>& patterns_;
  const std::vector<FlowPacket>& packets_;
  const std::vector<std::int64_t>& anchors_;
  std::set<std::tuple<std::size_t, std::size_t, std::size_t>> failed_;
  std::optional<Mismatch> best_;
  std::vector<Assigned> path_;  // packets taken on the way to here
  std::pair<std::size_t, std::size_t> best_key_{0, 0};
};


}  // namespace closepath::pcap::test
