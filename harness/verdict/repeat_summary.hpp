// `run --repeat N`: per scenario, how many of its runs passed, the first
// mismatch of each distinct failure (runs whose mismatches differ only in
// measured numbers count as one), and the spread of every timing window the
// judge checked. This is how a flaky close path shows itself.
#pragma once

#include "run_plan.hpp"

#include <nlohmann/json.hpp>

#include <ostream>
#include <vector>

namespace closepath {

// `reports[i]` is the report.json of `runs[i]`.
void print_repeat_summary(std::ostream& out, const std::vector<PlannedRun>& runs, const nlohmann::json& reports);

}  // namespace closepath
