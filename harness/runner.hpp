// Plays one scenario: topology, wire, peers, timeline, settle, verdict.
// Every resource is an RAII member of the run, so a run that fails, throws or
// is interrupted tears everything down on the way out.
#pragma once

#include "run_result.hpp"
#include "scenario.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace closepath {

struct RunOptions {
  std::filesystem::path out_root = "out";  // the run writes out_root/<name>/
  std::filesystem::path peer_program;      // closepath-peer
  int port = 0;                            // the client's port; 0 reserves a free one (unique across runs)
  std::optional<std::filesystem::path> tracefs;  // where to trace; nullopt: infer states only
  std::string tracefs_unavailable;               // why there is no tracefs
};

// Errors of the host or a peer become verdict "error"; Interrupted propagates.
RunResult run_scenario(const Scenario& s, const RunOptions& options);

}  // namespace closepath
