// `run -j N`: each scenario runs in a child closepath process of its own
// (own namespaces, own server port), at most N at a time. Children die with
// the parent (PR_SET_PDEATHSIG) and are stopped with SIGTERM when the parent
// is interrupted, so they tear their runs down themselves.
#pragma once

#include "run_plan.hpp"
#include "run_result.hpp"
#include "runner.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <vector>

namespace closepath {

struct ChildOutcome {
  Verdict verdict = Verdict::error;
  nlohmann::json report;  // the child's report.json, or {"error": ...}
};

// Results in the order of `runs`. Throws Interrupted.
std::vector<ChildOutcome> run_in_parallel(const std::vector<PlannedRun>& runs, int jobs);

}  // namespace closepath
