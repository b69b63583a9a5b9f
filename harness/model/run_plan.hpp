// Which runs one `closepath run` makes and where each writes. Every run has
// a directory of its own: OUT/<scenario>/ when the scenario runs once,
// OUT/<scenario>/<n>/ (n from 1) when it runs more than once, whether it
// was named twice or repeated.
#pragma once

#include "scenario.hpp"

#include <filesystem>
#include <vector>

namespace closepath {

struct PlannedRun {
  const Scenario* scenario = nullptr;
  std::filesystem::path out_dir;
  std::uint64_t seed = 0;  // the run's seed (`wire: impair`)
};

// `repeat` runs of each scenario, in the order given, scenario by scenario.
// A scenario's n-th run (from 0) has seed `first_seed` + n: the first run
// of each replays with `--seed first_seed`, and repeats vary it.
std::vector<PlannedRun> plan_runs(const std::vector<Scenario>& scenarios, const std::filesystem::path& out_root,
                                  int repeat = 1, std::uint64_t first_seed = 0);

}  // namespace closepath
