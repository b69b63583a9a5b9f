#include "repeat_summary.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <regex>

namespace closepath {
namespace {

// Two failures are the same when only their numbers differ ("actual gap 55ms" / "61ms").
std::string failure_kind(const std::string& mismatch) {
  static const std::regex digits("[0-9]+");
  return std::regex_replace(mismatch, digits, "#");
}

std::string spread(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  char text[96];
  std::snprintf(text, sizeof text, "%.1f / %.1f / %.1f ms", ms.front(), ms[ms.size() / 2], ms.back());
  return text;
}

struct PerScenario {
  std::size_t runs = 0, passed = 0, skipped = 0;
  struct Failure {
    std::string message;  // the first of its kind
    std::size_t count = 0;
    std::vector<std::uint64_t> seeds;  // of each run that failed so
  };
  std::vector<Failure> failures;
  std::map<std::pair<int, std::string>, std::vector<double>> timings;  // (line, pattern) -> measured ms
};

}  // namespace

void print_repeat_summary(std::ostream& out, const std::vector<PlannedRun>& runs, const nlohmann::json& reports) {
  std::vector<const Scenario*> order;
  std::map<const Scenario*, PerScenario> by;
  for (std::size_t i = 0; i < runs.size() && i < reports.size(); ++i) {
    const auto* s = runs[i].scenario;
    if (!by.count(s)) order.push_back(s);
    auto& p = by[s];
    const auto& r = reports[i];
    ++p.runs;
    const std::string verdict = r.is_object() ? r.value("verdict", "error") : "error";
    if (verdict == "pass") ++p.passed;
    else if (verdict == "skipped") ++p.skipped;
    else {
      const std::string m = r.is_object() ? r.value("first_mismatch", r.value("error", std::string("no report"))) : "no report";
      const auto kind = failure_kind(m);
      auto it = std::find_if(p.failures.begin(), p.failures.end(), [&](const auto& f) { return failure_kind(f.message) == kind; });
      if (it == p.failures.end()) it = p.failures.insert(p.failures.end(), {m, 0, {}});
      ++it->count;
      it->seeds.push_back(runs[i].seed);
    }
    if (r.is_object() && r.contains("timings") && r["timings"].is_array())
      for (const auto& t : r["timings"])
        p.timings[{t.value("line", 0), t.value("pattern", std::string())}].push_back(t.value("measured_ms", 0.0));
  }
  out << "repeat summary (passed/runs; timing windows as min / median / max):\n";
  for (const auto* s : order) {
    const auto& p = by[s];
    char head[128];
    std::snprintf(head, sizeof head, "%-30s %zu/%zu passed", s->name.c_str(), p.passed, p.runs - p.skipped);
    out << head;
    if (p.skipped) out << ", " << p.skipped << " skipped";
    out << "\n";
    for (const auto& f : p.failures) {
      out << "    " << f.count << "x  " << f.message << "\n";
      if (!s->impairs) continue;  // the seed decides nothing else
      out << "        seed" << (f.seeds.size() == 1 ? "" : "s");
      for (const auto seed : f.seeds) out << " " << seed;
      out << " (replay one: closepath run " << s->name << " --seed N)\n";
    }
    for (const auto& [key, values] : p.timings)
      out << "    line " << key.first << " '" << key.second << "': " << spread(values) << "\n";
  }
}

}  // namespace closepath
