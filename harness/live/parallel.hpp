// `run -j N`: up to N lanes (lane.hpp), child closepath processes that each
// run the scenarios handed to them one after another, sharing their trace
// instance and building the next rig ahead as serial runs do. Runs are
// handed out longest first (declared timers) to whichever lane is free.
// Lanes die with the parent (PR_SET_PDEATHSIG) and are stopped with SIGTERM
// when the parent is interrupted, so they tear their runs down themselves.
//
// A lane has a watchdog per run (harness/live/watchdog.hpp). The parent is
// the backstop for a lane that stops answering altogether (a stalled
// kernel, a stopped process): past its run's limit and a grace it is
// stopped (SIGTERM, then SIGKILL), the run is reported as an error with the
// activity it last published, whatever trace instance it left is removed,
// and a new lane takes the runs still to come.
#pragma once

#include "run_plan.hpp"
#include "run_result.hpp"
#include "runner.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <vector>

namespace closepath {

struct ChildOutcome {
  Verdict verdict = Verdict::error;
  nlohmann::json report;  // the child's report.json, or {"error": ...}
};

// Results in the order of `runs`. What of `options` a lane needs (each
// run's watchdog limit, the family, the peers) is passed to each. With
// `json`, what the children print for people goes to stderr: stdout is for
// the caller's JSON. Throws Interrupted.
std::vector<ChildOutcome> run_in_parallel(const std::vector<PlannedRun>& runs, int jobs, const RunOptions& options, bool json);

}  // namespace closepath
