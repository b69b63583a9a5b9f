// `closepath run`: its options and what it does with them (one run, a
// catalogue in parallel lanes, a lane itself, --repeat, --shard, --dry-run).
#pragma once

#include "scenario_dir.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace closepath {

struct RunArgs {
  std::vector<std::string> targets;
  bool all = false;
  int jobs = 1;
  std::filesystem::path out = "out";
  bool json = false;
  int port = 0;
  bool no_total = false;  // a -j lane: the parent prints the total
  bool ladder = false;
  bool dry_run = false;
  int repeat = 1;
  int lane_fd = -1;  // a -j lane (lane.hpp): where its runs come from
  int done_fd = -1;  // a -j lane: where it says each report is written
  std::string shard;  // "K/N": this machine's part of the scenarios named
  std::string peer;   // --peer: RUNTIME, or client=RUNTIME,server=RUNTIME
  bool ipv6 = false;  // scenarios that pin no family run over IPv6
  std::string stuck_after;  // the watchdog's limit per run; empty: run_limit() of each scenario
  std::optional<std::uint64_t> seed;  // --seed: the first run's; none: a random one
};

CLI::App* add_run_command(CLI::App& app, RunArgs& a);
int cmd_run(const RunArgs& a, ScenarioDir& dir);

}  // namespace closepath
