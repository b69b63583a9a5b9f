// A scenario's words about its peers' runtimes (protocol/runtimes.hpp):
//   peer: RUNTIME | {client: RUNTIME, server: RUNTIME}   pins them;
//   differs: {RUNTIME: WHY}   runs with such a peer are skipped, saying why;
//   RUNTIME: OUTCOME beside a peer step   what that runtime's program is told instead.
// Each throws ScenarioError naming the line.
#pragma once

#include "scenario.hpp"
#include "yaml_document.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace closepath {

std::map<Side, std::string> parse_peer_key(const yaml::Node& n, const std::filesystem::path& file);
std::map<std::string, std::string> parse_differs_key(const yaml::Node& n, const std::filesystem::path& file);
// `item` is the step's mapping: its first pair the step (its text `step_text`; `ps` when a peer step), the
// rest runtimes' outcomes.
void parse_runtime_outcomes(const yaml::Node& item, const std::string& step_text, PeerStep* ps,
                            const std::filesystem::path& file);

}  // namespace closepath
