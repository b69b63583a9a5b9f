// The verdict: a run passes only if every step's outcome, the wire sequence
// and every forbid hold. The first mismatch is reported as
// "FILE:LINE: what: expected X vs actual Y".
#pragma once

#include "flow.hpp"
#include "run_result.hpp"
#include "scenario.hpp"
#include "step_judge.hpp"

#include <optional>
#include <string>

namespace closepath {

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

// A program that left processes running after it ended, unless expected
// (left_running); and one expected to that did not.
std::optional<std::string> judge_programs(const Scenario& s, const std::vector<ProgramRecord>& programs);

// Fills verdict and first_mismatch, and each step's mismatch, from what the
// run recorded: its steps, the flow, the states and the leftovers. One
// pipeline: a live run and `closepath check` of its capture both end here.
void judge(RunResult& r);

}  // namespace closepath
