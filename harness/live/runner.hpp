// Plays one scenario: topology, wire, peers, timeline, settle, verdict.
// Every resource is an RAII member of the run, so a run that fails, throws or
// is interrupted tears everything down on the way out.
#pragma once

#include "run_result.hpp"
#include "scenario.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <ostream>
#include <optional>
#include <string>

namespace closepath {

struct Session;

struct RunOptions {
  // Each side's peer runtime (protocol/runtimes.hpp) unless the scenario pins one; absent: asio.
  std::map<Side, std::string> peers;
  int port = 0;                            // the client's port; 0 reserves a free one (unique across runs)
  std::optional<std::filesystem::path> tracefs;  // where to trace; nullopt: infer states only
  std::string tracefs_unavailable;               // why there is no tracefs
  std::optional<std::chrono::milliseconds> stuck_after;  // the watchdog's limit; default run_limit()
  Family family = Family::ipv4;  // what scenarios that pin none run over (--ipv6)
  std::uint64_t seed = 0;        // the run's seed: `wire: impair` steps without their own draw from it (--seed)
};

// How long a run may take before its watchdog calls it stuck: every step's
// own bound (its deadline plus the answer grace, a barrier's `within`, a
// pause) plus the settle, plus a generous allowance for setup and teardown,
// which take seconds where the CPU is emulated (qemu TCG).
std::chrono::milliseconds run_limit(const Scenario& s);

// Errors of the host or a peer, and a stuck run, become verdict "error";
// Interrupted propagates.
// The run's capture and report go to `out_dir` (see run_plan.hpp).
// `session` is the process's (session.hpp): its backstage builds and tears
// down the rig, its port sequence gives the client port. With
// `another_follows`, the next run's rig is built while this one plays.
RunResult run_scenario(Session& session, const Scenario& s, const RunOptions& options,
                       const std::filesystem::path& out_dir, bool another_follows = false);

// One run as `closepath run` makes each, in a -j lane or not: run, its
// capture, report and ladder written to `out_dir`, its lines printed to
// `human`; the run and the report.json written.
struct ReportedRun {
  RunResult result;
  nlohmann::json report;
};
ReportedRun run_and_report(Session& session, const Scenario& s, const RunOptions& options,
                           const std::filesystem::path& out_dir, bool another_follows, std::ostream& human, bool ladder);

}  // namespace closepath
