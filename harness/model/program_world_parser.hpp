// `programs:` in a scenario: each side's programs' environment, working
// directory, stdin and rendered files (ProgramWorld).
#pragma once

#include "scenario.hpp"
#include "yaml_document.hpp"

#include <filesystem>
#include <map>

namespace closepath {

// Throws ScenarioError naming the line: an unknown key or placeholder, a
// variable name no shell could export, a file that cannot be read.
std::map<Side, ProgramWorld> parse_program_worlds(const yaml::Node& n, const std::filesystem::path& file);

// Whether a program's argument or world, or a file it renders, names {ca}, {cert} or {key}.
bool names_credentials(const Scenario& s);

}  // namespace closepath
