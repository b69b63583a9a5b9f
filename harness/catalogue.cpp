#include "catalogue.hpp"

#include "scenario_parser.hpp"

#include <algorithm>
#include <cstdlib>

namespace closepath {

std::filesystem::path default_scenario_dir() {
  if (const char* env = std::getenv("CLOSEPATH_SCENARIOS"); env && *env) return env;
#ifdef CLOSEPATH_SOURCE_DIR
  const std::filesystem::path built_in = std::filesystem::path(CLOSEPATH_SOURCE_DIR) / "scenarios";
  if (std::filesystem::is_directory(built_in)) return built_in;
#endif
  return "scenarios";
}

std::vector<std::filesystem::path> catalogue_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path());
  if (ec) throw ScenarioError(dir, 0, "cannot list scenarios: " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

std::filesystem::path resolve_scenario(const std::string& name_or_file, const std::filesystem::path& dir) {
  const bool is_path = name_or_file.find('/') != std::string::npos ||
                       std::filesystem::path(name_or_file).extension() == ".yaml";
  const std::filesystem::path p = is_path ? std::filesystem::path(name_or_file) : dir / (name_or_file + ".yaml");
  if (!std::filesystem::is_regular_file(p))
    throw ScenarioError(p, 0, is_path ? "no such file" : "no scenario named '" + name_or_file + "' in " + dir.string() +
                                                               " (see `closepath list`)");
  return p;
}

}  // namespace closepath
