// One step's verdict, composed from what the run recorded of it (its outcome,
// the packets a barrier saw, the frames a fault touched, what only the
// runner could observe): the same for a live run and for `closepath check`
// of its capture, whose run facts carry those records.
#pragma once

#include "run_result.hpp"

#include <optional>
#include <string>
#include <vector>

namespace closepath {

// "expected X vs actual Y" when a peer step's outcome differs from what it expects.
std::optional<std::string> compare_outcome(const PeerStep& step, const protocol::Outcome& outcome);

// The step's mismatch, or nullopt. `s` is its scenario; `anchors`: each step's
// start, for "-> END at LOW..HIGH after step N"; `flow`: the capture's packets
// (a quiet pause is judged on them); `timings` gets each window measured.
std::optional<std::string> judge_step(const StepResult& sr, const Scenario& s, const std::vector<std::int64_t>& anchors,
                                      const pcap::Flow& flow, std::vector<Timing>& timings);

// A drop, hold or inject that touched fewer packets than it names: "expected to drop 1 packet vs dropped 0".
std::optional<std::string> judge_fault(const StepResult& sr);

// What a wire fault did, for reports and ladders: "dropped 3 frames", "held 1 packet"; "" for heal and release.
std::string fault_count_text(const WireAction& action, std::size_t touched);

}  // namespace closepath
