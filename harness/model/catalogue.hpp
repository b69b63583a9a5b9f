// Where scenarios and the peer program live, and how a NAME or FILE on the
// command line becomes a scenario file. Nothing is compiled in: a copied or
// moved checkout, and an installed tree, each find their own files relative
// to the running binary.
//
// The scenario directory, first found wins:
//   1. --scenarios DIR, or $CLOSEPATH_SCENARIOS;
//   2. the checkout the binary sits in: the nearest directory above it that
//      holds CMakeLists.txt and scenarios/ (build/closepath -> scenarios/);
//   3. the current directory's scenarios/, when it is a checkout's (an
//      out-of-tree build run from the checkout);
//   4. the installed catalogue: BIN/../share/closepath/scenarios.
// A peer program (closepath-peer, closepath-peer-go, ...: protocol/runtimes.hpp):
// beside the binary (a build tree), else BIN/../libexec/closepath/ (an installed tree).
#pragma once

#include "scenario.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace closepath {

// The directory holding the running binary.
std::filesystem::path self_dir();

// The scenario directory by the rules above (explicit: from 1.), or nullopt
// with `looked` naming where it looked.
std::optional<std::filesystem::path> find_scenario_dir(const std::optional<std::filesystem::path>& explicit_dir,
                                                       const std::filesystem::path& bin_dir, std::string* looked);

// The peer program of `runtime` by the rules above; throws HostError naming where it looked.
std::filesystem::path find_peer_program(const std::filesystem::path& bin_dir, const std::string& runtime);
// The runtime of each side's peer in a run of `s`: the scenario's pin, else the run's choice, else asio.
std::string peer_runtime(const std::map<Side, std::string>& pinned, const std::map<Side, std::string>& chosen, Side side);

// Every *.yaml in `dir`, sorted by name. Throws ScenarioError.
std::vector<std::filesystem::path> catalogue_files(const std::filesystem::path& dir);

// Whether a command-line target names a file (contains '/' or ends in .yaml) rather than a scenario.
bool names_a_file(const std::string& target);

// A path (contains '/' or ends in .yaml) as is, else dir/NAME.yaml.
// Throws ScenarioError when neither exists.
std::filesystem::path resolve_scenario(const std::string& name_or_file, const std::filesystem::path& dir);

// `p` relative to the working directory when it lies below it, else as given:
// how messages name files.
std::string display_path(const std::filesystem::path& p);

}  // namespace closepath
