#include "run_plan.hpp"

#include <map>

namespace closepath {

std::vector<PlannedRun> plan_runs(const std::vector<Scenario>& scenarios, const std::filesystem::path& out_root,
                                  int repeat, std::uint64_t first_seed) {
  std::map<std::string, int> total, seen;
  for (const auto& s : scenarios) total[s.name] += repeat;
  std::vector<PlannedRun> runs;
  for (const auto& s : scenarios)
    for (int i = 0; i < repeat; ++i) {
      const auto dir = out_root / s.name;
      runs.push_back({&s, total[s.name] == 1 ? dir : dir / std::to_string(++seen[s.name]), first_seed + static_cast<std::uint64_t>(i)});
    }
  return runs;
}

}  // namespace closepath
