#include "run_command.hpp"

#include "session.hpp"
#include "host_setup.hpp"
#include "interrupt.hpp"
#include "lane.hpp"
#include "parallel.hpp"
#include "program_user.hpp"
#include "repeat_summary.hpp"
#include "report.hpp"
#include "report_html.hpp"
#include "run_plan.hpp"
#include "runner.hpp"
#include "scenario_parser.hpp"
#include "shard.hpp"
#include "sysctl_check.hpp"

#include "catalogue.hpp"
#include "runtimes.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sched.h>

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>

namespace closepath {
namespace {

namespace fs = std::filesystem;

int exit_code_of(const std::vector<Verdict>& verdicts) {
  int rc = 0;
  for (auto v : verdicts) rc = std::max(rc, v == Verdict::pass || v == Verdict::skipped ? 0 : v == Verdict::fail ? 1 : 3);
  return rc;
}

// A run's seed when --seed names none: short enough to type back.
std::uint64_t random_seed() { return std::random_device{}(); }

// -j's default: the cores this process may run on (what nproc prints).
int default_jobs() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  const int n = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
  return std::clamp(n, 1, 64);
}

// --peer RUNTIME (both sides) or client=RUNTIME,server=RUNTIME (either or both).
std::map<Side, std::string> parse_peer_choice(const std::string& text) {
  std::map<Side, std::string> peers;
  if (text.empty()) return peers;
  auto runtime = [](const std::string& name) {
    if (!protocol::find_runtime(name))
      throw std::invalid_argument("'" + name + "' is not a runtime (known: " + protocol::runtime_names() + ")");
    return name;
  };
  if (text.find('=') == std::string::npos) {
    peers[Side::client] = peers[Side::server] = runtime(text);
    return peers;
  }
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    const auto eq = part.find('=');
    const auto side = side_named(part.substr(0, eq));
    if (eq == std::string::npos || !side)
      throw std::invalid_argument("'" + part + "': give RUNTIME, or client=RUNTIME,server=RUNTIME");
    const Side who = *side;
    if (peers.contains(who)) throw std::invalid_argument(to_string(who) + " is given twice");
    peers[who] = runtime(part.substr(eq + 1));
  }
  return peers;
}

// What every run of this command shares; nullopt (said on stderr) for a bad --stuck-after.
std::optional<RunOptions> run_options(const RunArgs& a, const HostSetup& host) {
  RunOptions options;
  try {
    options.peers = parse_peer_choice(a.peer);
    for (const auto& [side, runtime] : options.peers) find_peer_program(self_dir(), runtime);
  } catch (const std::invalid_argument& e) {
    std::cerr << "closepath run: --peer: " << e.what() << "\n";
    return std::nullopt;
  }
  options.port = a.port;
  options.family = a.ipv6 ? Family::ipv6 : Family::ipv4;
  if (!a.stuck_after.empty()) {
    try {
      options.stuck_after = parse_duration(a.stuck_after);
      if (options.stuck_after->count() == 0) throw std::invalid_argument("a limit of 0 ends every run before it starts");
    } catch (const std::invalid_argument& e) {
      std::cerr << "closepath run: --stuck-after: " << e.what() << "\n";
      return std::nullopt;
    }
  }
  options.tracefs = host.tracefs();
  options.tracefs_unavailable = host.tracefs_unavailable();
  return options;
}

// A -j lane (harness/live/lane.hpp): runs what its parent hands it.
int cmd_lane(const RunArgs& a) {
  for (int fd : {a.lane_fd, a.done_fd}) fcntl(fd, F_SETFD, FD_CLOEXEC);  // ours, not the peers' and programs'
  const HostSetup host({});  // before any thread: rootless mode, tracefs, interrupt handlers
  const auto options = run_options(a, host);
  if (!options) return 2;
  int rc = 0;
  Session session;
  try {
    run_lane(session, a.lane_fd, a.done_fd, *options, std::cout);
  } catch (const Interrupted&) {
    rc = 130;
  } catch (const ScenarioError& e) {  // the file changed since the parent read it
    std::cerr << e.what() << "\n";
    rc = 2;
  }
  session.backstage.drain();
  return rc;
}

// Every target parsed and validated before anything runs; nullopt when one is wrong (said on stderr).
std::optional<std::vector<Scenario>> read_targets(const RunArgs& a, ScenarioDir& dir) {
  std::vector<fs::path> files;
  std::vector<Scenario> scenarios;
  try {
    if (a.all) files = catalogue_files(dir.get());
    for (const auto& t : a.targets) files.push_back(dir.resolve(t));
    if (files.empty()) {
      std::cerr << "closepath run: name a scenario, a file, or --all (see `closepath list`)\n";
      return std::nullopt;
    }
    for (const auto& f : files) {
      scenarios.push_back(parse_scenario_file(f));
      check_sysctls_exist(scenarios.back());
      check_program_user(scenarios.back());  // an unknown user, or one a rootless run cannot become, is the scenario's error
    }
  } catch (const ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return std::nullopt;
  }
  return scenarios;
}

// This machine's part of `scenarios` (--shard K/N); every file was validated whichever part runs here.
// nullopt with the exit code when there is nothing to run.
std::optional<int> keep_shard(const RunArgs& a, std::vector<Scenario>& scenarios) {
  if (a.shard.empty()) return std::nullopt;
  Shard shard;
  try {
    shard = parse_shard(a.shard);
  } catch (const std::invalid_argument& e) {
    std::cerr << "closepath run: --shard " << e.what() << "\n";
    return 2;
  }
  std::vector<Scenario> part;
  for (const auto i : shard_of(scenarios, shard)) part.push_back(std::move(scenarios[i]));
  if (part.empty()) {
    std::cerr << "closepath run: shard " << a.shard << " has nothing to run (" << scenarios.size()
              << (scenarios.size() == 1 ? " scenario" : " scenarios") << " for " << shard.count << " parts)\n";
    return 0;
  }
  scenarios = std::move(part);
  return std::nullopt;
}

struct Finished {
  std::vector<Verdict> verdicts;
  nlohmann::json reports = nlohmann::json::array();
};

// Runs them all, in lanes or here; throws Interrupted.
Finished execute(Session& session, const RunArgs& a, const std::vector<PlannedRun>& runs, const RunOptions& options,
                 bool parallel, std::ostream& human) {
  Finished done;
  if (parallel) {
    for (const auto& outcome : run_in_parallel(runs, a.jobs, options, a.json)) {
      done.verdicts.push_back(outcome.verdict);
      done.reports.push_back(outcome.report);
    }
    return done;
  }
  for (const auto& run : runs) {
    // Each run reserves a client port of its own (harness/live/port_reservation.hpp).
    auto run_options = options;
    run_options.seed = run.seed;
    auto reported = run_and_report(session, *run.scenario, run_options, run.out_dir, &run != &runs.back(), human, a.ladder);
    done.verdicts.push_back(reported.result.verdict);
    done.reports.push_back(std::move(reported.report));  // as written, as a lane's is read back
  }
  return done;
}

// "3 passed, 1 failed", and what the runs had to wait for (declared timers) against what they took.
void print_totals(std::ostream& human, const RunArgs& a, const std::vector<PlannedRun>& runs,
                  const std::vector<Verdict>& verdicts, std::chrono::steady_clock::time_point started) {
  const auto count = [&](Verdict v) { return static_cast<std::size_t>(std::count(verdicts.begin(), verdicts.end(), v)); };
  human << count(Verdict::pass) << " passed, " << count(Verdict::fail) + count(Verdict::error) << " failed";
  if (count(Verdict::skipped)) human << ", " << count(Verdict::skipped) << " skipped";
  human << "\n";
  std::chrono::milliseconds timers{0};
  for (const auto& run : runs) timers += run.scenario->timers;
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;
  human << std::fixed << std::setprecision(1) << "wall time " << wall.count() << " s; timers waited for "
        << static_cast<double>(timers.count()) / 1000.0 << " s (sum over scenarios, -j " << a.jobs << ")\n";
}

// index.html at the out root: every run of this command, linked to its report.html.
void write_index(const fs::path& out, const std::vector<PlannedRun>& runs, const nlohmann::json& reports, const std::string& spreads) {
  std::vector<IndexedRun> rows;
  for (std::size_t i = 0; i < runs.size() && i < reports.size(); ++i) {
    auto report = reports[i].is_object() ? reports[i] : nlohmann::json::object();
    if (!report.contains("scenario")) report["scenario"] = runs[i].scenario->name;
    rows.push_back({report, fs::relative(runs[i].out_dir, out).generic_string()});
  }
  std::ofstream(out / "index.html") << index_html(rows, "closepath run: " + std::to_string(runs.size()) + " runs", spreads);
}

// Runs the scenarios read and kept; the exit code.
int run_all(const RunArgs& a, const std::vector<Scenario>& scenarios) {
  const auto runs = plan_runs(scenarios, a.out, a.repeat, a.seed ? *a.seed : random_seed());
  const bool parallel = a.jobs > 1 && runs.size() > 1;  // then lanes (child processes) run them, each tracing for itself
  // Before any thread exists (HostSetup checks): rootless mode, tracefs, interrupt handlers.
  const HostSetup host({.trace = !parallel});
  std::error_code out_error;  // an unwritable --out is found before anything runs
  fs::create_directories(a.out, out_error);
  if (out_error) {
    std::cerr << "closepath run: --out " << a.out.string() << ": " << out_error.message() << "\n";
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  const auto options = run_options(a, host);
  if (!options) return 2;
  std::ostream& human = a.json ? std::cerr : std::cout;
  Finished done;
  Session session;
  try {
    done = execute(session, a, runs, *options, parallel, human);
  } catch (const Interrupted&) {
    session.backstage.drain();
    std::cerr << "closepath: interrupted; everything it set up has been torn down\n";
    return 130;
  }
  session.backstage.drain();  // the last run's teardown
  if (!a.no_total) print_totals(human, a, runs, done.verdicts, started);
  std::ostringstream spreads;
  if (a.repeat > 1) print_repeat_summary(spreads, runs, done.reports);
  human << spreads.str();
  write_index(a.out, runs, done.reports, spreads.str());
  if (a.json) std::cout << json_text(done.reports) << "\n";
  return exit_code_of(done.verdicts);
}

}  // namespace

CLI::App* add_run_command(CLI::App& app, RunArgs& a) {
  a.jobs = default_jobs();
  auto* run = app.add_subcommand("run", "run scenarios by NAME or FILE, or --all");
  run->add_option("targets", a.targets, "scenario names or files");
  run->add_flag("--all", a.all, "run the whole catalogue");
  run->add_option("-j,--jobs", a.jobs,
                  "runs in parallel, each in its own namespaces (default: the number of cores, " +
                      std::to_string(default_jobs()) + " here)")
      ->check(CLI::Range(1, 64));
  run->add_option("--out", a.out,
                  "output root: each run writes OUT/<scenario>/, or OUT/<scenario>/<n>/ when it runs more than once (default out)");
  run->add_option("--lane-fd", a.lane_fd)->group("");  // used by -j for its lanes
  run->add_option("--done-fd", a.done_fd)->group("");  // ditto
  run->add_flag("--dry-run", a.dry_run, "parse and validate the scenarios, run nothing");
  run->add_option("--repeat", a.repeat,
                  "run each scenario N times (OUT/<scenario>/<n>/) and summarise: passes, distinct failures, timing spread")
      ->check(CLI::Range(1, 10000));
  run->add_flag("--json", a.json, "print the reports as JSON on stdout");
  run->add_option("--port", a.port, "the client's port for a single run (default: a free one is reserved per run)")
      ->check(CLI::Range(1024, 65535));
  run->add_flag("--no-total", a.no_total)->group("");  // ditto
  run->add_option("--stuck-after", a.stuck_after,
                  "end a run that has no verdict after DURATION (e.g. 90s) and report what it waited for "
                  "(default: the scenario's own deadlines plus 120 s for setup)");
  run->add_option("--peer", a.peer,
                  "the peer programs' runtime: " + protocol::runtime_names() +
                      " (default asio), for both sides, or client=RUNTIME,server=RUNTIME; a scenario's `peer:` pins its own");
  run->add_flag("--ipv6", a.ipv6, "run over IPv6 (fd00::1 and fd00::2) every scenario that does not pin a family (`family:`)");
  run->add_option("--shard", a.shard,
                  "K/N: run only the K-th of N parts of the scenarios named, balanced by their timers "
                  "(a CI matrix gives each machine one K)");
  run->add_option("--seed", a.seed,
                  "the seed `wire: impair` steps draw from unless they name their own: the same seed replays the same "
                  "decisions; with --repeat, run n has seed N + n - 1 (default: a random seed; each run's is in its "
                  "report.json, and a failed run prints it)");
  run->add_flag("--ladder", a.ladder, "print each run's ladder diagram (always printed on failure)");
  return run;
}

int cmd_run(const RunArgs& a, ScenarioDir& dir) {
  if (a.lane_fd >= 0) return cmd_lane(a);
  auto scenarios = read_targets(a, dir);
  if (!scenarios) return 2;
  if (const auto rc = keep_shard(a, *scenarios)) return *rc;
  if (a.dry_run) {
    for (const auto& s : *scenarios) std::cout << "OK    " << s.name << "  " << display_path(s.file) << "\n";
    return 0;
  }
  if (a.port && scenarios->size() > 1) {
    std::cerr << "closepath run: --port names one run's client port; give one scenario with it\n";
    return 2;
  }
  return run_all(a, *scenarios);
}

}  // namespace closepath
