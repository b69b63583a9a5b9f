// The verdict: a run passes only if every step's outcome, the wire sequence
// and every forbid hold. The first mismatch is reported as
// "FILE:LINE: what: expected X vs actual Y".
#pragma once

#include "flow.hpp"
#include "run_result.hpp"
#include "scenario.hpp"

#include <optional>
#include <string>

namespace closepath {

// "expected X vs actual Y" when a step's outcome differs from what it expects.
std::optional<std::string> compare_outcome(const PeerStep& step, const protocol::Outcome& outcome);

// The first mismatch of the wire against the scenario's wire and forbid lists.
// `anchors`: each step's start time (mono ns), for timing windows.
// `packet` (if given) gets the flow packet to blame, when there is one.
// `timings` (if given) gets each timing window checked, with what was measured.
std::optional<std::string> judge_wire(const Scenario& s, const pcap::Flow& flow,
                                      const std::vector<std::int64_t>& anchors = {},
                                      std::optional<std::size_t>* packet = nullptr,
                                      std::vector<Timing>* timings = nullptr);

// The first mismatch of the states (sources disagreeing, then expectations)
// and of the leftover sockets.
std::optional<std::string> judge_states(const Scenario& s, const std::map<Side, SideStates>& states);
std::optional<std::string> judge_leftovers(const Scenario& s, const std::map<Side, std::vector<SocketEntry>>& leftovers);

// A drop, hold or inject that touched fewer packets than it names: "expected to drop 1 packet vs dropped 0".
std::optional<std::string> judge_fault(const StepResult& sr);

// What a wire fault did, for reports and ladders: "dropped 3 frames", "held 1 packet"; "" for heal and release.
std::string fault_count_text(const WireAction& action, std::size_t touched);

// Fills verdict and first_mismatch from the steps and the flow.
void judge(RunResult& r);

}  // namespace closepath
