// Reads and validates a scenario file. Nothing runs before a scenario has
// parsed: a wrong file is reported as "FILE:LINE: what is wrong".
#pragma once

#include "scenario.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace closepath {

struct ScenarioError : std::runtime_error {
  // "FILE:LINE: problem", or "FILE: problem" when the problem is the file's as a whole (line 0).
  ScenarioError(const std::filesystem::path& file, int line, const std::string& problem)
      : std::runtime_error(file.string() + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " +
                           one_line(problem)) {}
  // Control characters a problem quotes from the file, escaped: the message stays one line.
  static std::string one_line(const std::string& text);
};

// The longest duration a scenario may name (wait, within, timers, rto_min):
// scenarios shorten kernel timers rather than wait for them.
inline constexpr std::chrono::milliseconds kMaxDuration{600'000};

Scenario parse_scenario_file(const std::filesystem::path& file);
// `file` names the source in messages.
Scenario parse_scenario_text(const std::string& text, const std::filesystem::path& file);

// Step text ("send 1000", "recv -> ECONNRESET"); throws std::invalid_argument.
PeerStep parse_peer_step(Side side, const std::string& text);
// exec, ready, output, signal, exit; nullopt when `text` is none of them.
std::optional<ProgramStep> parse_program_step(Side side, const std::string& text);
std::chrono::milliseconds parse_duration(const std::string& text);
// A step's text split on blanks outside double quotes (protocol::step_words).
std::vector<std::string> words_of(const std::string& text);
// Removes a trailing "within D" from `words` and returns D, if there is one.
std::optional<std::chrono::milliseconds> take_within(std::vector<std::string>& words);
// Wire step text ("blackhole both", "inject rst toward server exact"); throws std::invalid_argument.
WireStep parse_wire_step(const std::string& text);
// A wait step: a duration ("50ms") or a barrier ("s>c . ack 1001 {2} within 1s"); throws std::invalid_argument.
std::variant<WaitStep, WireWait> parse_wait_step(const std::string& text);

}  // namespace closepath
