// `run -j N`: each scenario runs in a child closepath process of its own
// (own namespaces, own server port), at most N at a time. Children die with
// the parent (PR_SET_PDEATHSIG) and are stopped with SIGTERM when the parent
// is interrupted, so they tear their runs down themselves.
//
// A child has its own watchdog (harness/live/watchdog.hpp). The parent is the
// backstop for a child that stops answering altogether (a stalled kernel, a
// stopped process): past the child's limit and a grace it is stopped
// (SIGTERM, then SIGKILL), reported as an error with the activity it last
// published, and whatever trace instance it left is removed.
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

// Results in the order of `runs`. `stuck_after` is passed to each child (its
// watchdog's limit; default: run_limit of its scenario). With `json`, what
// the children print for people goes to stderr: stdout is for the caller's
// JSON. Throws Interrupted.
std::vector<ChildOutcome> run_in_parallel(const std::vector<PlannedRun>& runs, int jobs,
                                          std::optional<std::chrono::milliseconds> stuck_after, bool json);

}  // namespace closepath
