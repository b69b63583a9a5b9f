// Reads and validates a scenario file. Nothing runs before a scenario has
// parsed: a wrong file is reported as "FILE:LINE: what is wrong".
#pragma once

#include "scenario.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace closepath {

struct ScenarioError : std::runtime_error {
  ScenarioError(const std::filesystem::path& file, int line, const std::string& problem)
      : std::runtime_error(file.string() + ":" + std::to_string(line) + ": " + problem) {}
};

Scenario parse_scenario_file(const std::filesystem::path& file);
// `file` names the source in messages.
Scenario parse_scenario_text(const std::string& text, const std::filesystem::path& file);

// Step text ("send 1000", "recv -> ECONNRESET"); throws std::invalid_argument.
PeerStep parse_peer_step(Side side, const std::string& text);
std::chrono::milliseconds parse_duration(const std::string& text);
// A step's text split on whitespace.
std::vector<std::string> words_of(const std::string& text);
// Wire step text ("blackhole both", "inject rst toward server exact"); throws std::invalid_argument.
WireStep parse_wire_step(const std::string& text);

}  // namespace closepath
