// Where scenarios live and how a NAME or FILE on the command line becomes a
// parsed scenario.
#pragma once

#include "scenario.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace closepath {

// $CLOSEPATH_SCENARIOS, else the source tree's scenarios/ (compiled in), else ./scenarios.
std::filesystem::path default_scenario_dir();

// Every *.yaml in `dir`, sorted by name.
std::vector<std::filesystem::path> catalogue_files(const std::filesystem::path& dir);

// A path (contains '/' or ends in .yaml) as is, else dir/NAME.yaml.
// Throws ScenarioError when neither exists.
std::filesystem::path resolve_scenario(const std::string& name_or_file, const std::filesystem::path& dir);

}  // namespace closepath
