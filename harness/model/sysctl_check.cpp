#include "sysctl_check.hpp"

#include "scenario_parser.hpp"

#include <algorithm>
#include <numeric>

namespace closepath {
namespace {

namespace fs = std::filesystem;

// net.ipv4.conf.eth0.rp_filter -> net/ipv4/conf/default/rp_filter
fs::path file_of(const std::string& key) {
  std::vector<std::string> parts;
  for (std::size_t at = 0;;) {
    const auto dot = key.find('.', at);
    parts.push_back(key.substr(at, dot - at));
    if (dot == std::string::npos) break;
    at = dot + 1;
  }
  for (std::size_t i = 0; i + 2 < parts.size(); ++i)
    if ((parts[i] == "conf" || parts[i] == "neigh") && (parts[i + 1] == "eth0" || parts[i + 1] == "lo" || parts[i + 1] == "all"))
      parts[i + 1] = "default";
  fs::path p;
  for (const auto& part : parts) p /= part;
  return p;
}

std::size_t distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// The existing setting in the same directory closest to the misspelt one.
std::string suggestion(const fs::path& proc_sys, const fs::path& rel, const std::string& key) {
  std::error_code ec;
  const auto dir = proc_sys / rel.parent_path();
  std::string best;
  std::size_t best_distance = 4;  // closer than this, or no suggestion
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (const auto d = distance(name, rel.filename().string()); d < best_distance) {
      best_distance = d;
      best = key.substr(0, key.rfind('.') + 1) + name;
    }
  }
  return best.empty() ? "" : " (did you mean " + best + "?)";
}

}  // namespace

void check_sysctls_exist(const Scenario& s, const fs::path& proc_sys) {
  for (const auto& [side, settings] : s.sysctl)
    for (const auto& [key, value] : settings) {
      const auto rel = file_of(key);
      std::error_code ec;
      if (fs::is_regular_file(proc_sys / rel, ec)) continue;
      throw ScenarioError(s.file, value.line,
                          "unknown sysctl '" + key + "': this kernel has no " + (proc_sys / rel).string() +
                              suggestion(proc_sys, rel, key));
    }
}

}  // namespace closepath
