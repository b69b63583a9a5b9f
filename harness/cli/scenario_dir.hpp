// Where scenarios are looked up by name (harness/model/catalogue.hpp):
// resolved once, on first need, so commands that name files need no directory.
#pragma once

#include "catalogue.hpp"
#include "errors.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace closepath {

class ScenarioDir {
 public:
  explicit ScenarioDir(std::string explicit_dir) {
    if (!explicit_dir.empty()) explicit_ = std::filesystem::path(explicit_dir);
  }
  const std::filesystem::path& get() {
    if (!dir_) {
      std::string looked;
      dir_ = find_scenario_dir(explicit_, self_dir(), &looked);
      if (!dir_)
        throw UsageError("no scenario directory found (looked in " + looked +
                         "): give --scenarios DIR or set CLOSEPATH_SCENARIOS");
    }
    return *dir_;
  }
  // A command-line target: a file as given, or a scenario by name in the directory.
  std::filesystem::path resolve(const std::string& target) {
    return resolve_scenario(target, names_a_file(target) ? std::filesystem::path() : get());
  }

 private:
  std::optional<std::filesystem::path> explicit_, dir_;
};

}  // namespace closepath
