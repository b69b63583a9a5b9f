// closepath: scripted TCP close-path experiments between two real Linux
// stacks. See README.md. Exit codes: 0 all passed, 1 an expectation failed,
// 2 bad usage or scenario file, 3 the host lacks something or a run errored,
// 130 interrupted.
#include "backstage.hpp"
#include "catalogue.hpp"
#include "doctor.hpp"
#include "errors.hpp"
#include "flow.hpp"
#include "interrupt.hpp"
#include "kernel_trace.hpp"
#include "offline.hpp"
#include "parallel.hpp"
#include "program_user.hpp"
#include "lane.hpp"
#include "repeat_summary.hpp"
#include "shard.hpp"
#include "run_plan.hpp"
#include "report.hpp"
#include "host_setup.hpp"
#include "runner.hpp"
#include "scenario_parser.hpp"
#include "sysctl_check.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <iomanip>
#include <iostream>

namespace {

using namespace closepath;
namespace fs = std::filesystem;

// Where scenarios are looked up by name (harness/model/catalogue.hpp): resolved
// once, on first need, so commands that name files need no directory.
class ScenarioDir {
 public:
  explicit ScenarioDir(std::string explicit_dir) {
    if (!explicit_dir.empty()) explicit_ = fs::path(explicit_dir);
  }
  const fs::path& get() {
    if (!dir_) {
      std::string looked;
      dir_ = find_scenario_dir(explicit_, self_dir(), &looked);
      if (!dir_)
        throw UsageError("no scenario directory found (looked in " + looked +
                         "): give --scenarios DIR or set CLOSEPATH_SCENARIOS");
    }
    return *dir_;
  }
  // A command-line target: a file as given, or a scenario by name in the directory.
  fs::path resolve(const std::string& target) { return resolve_scenario(target, names_a_file(target) ? fs::path() : get()); }

 private:
  std::optional<fs::path> explicit_, dir_;
};

int cmd_list(ScenarioDir& dir, bool json) {
  nlohmann::json out = nlohmann::json::array();
  int rc = 0;
  for (const auto& file : catalogue_files(dir.get())) {
    try {
      const auto s = parse_scenario_file(file);
      if (json) out.push_back({{"name", s.name}, {"file", file.string()}, {"summary", s.summary}, {"tags", s.tags}, {"claim", s.claim}});
      else std::cout << std::left << std::setw(28) << s.name << " " << s.summary << "\n";
    } catch (const ScenarioError& e) {
      std::cerr << e.what() << "\n";
      rc = 2;
    }
  }
  if (json) std::cout << json_text(out) << "\n";
  return rc;
}

int exit_code_of(const std::vector<Verdict>& verdicts) {
  int rc = 0;
  for (auto v : verdicts) rc = std::max(rc, v == Verdict::pass || v == Verdict::skipped ? 0 : v == Verdict::fail ? 1 : 3);
  return rc;
}

// -j's default: the cores this process may run on (what nproc prints).
int default_jobs() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  const int n = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : 1;
  return std::clamp(n, 1, 64);
}

struct RunArgs {
  std::vector<std::string> targets;
  bool all = false;
  int jobs = default_jobs();
  fs::path out = "out";
  bool json = false;
  int port = 0;
  bool no_total = false;  // a -j lane: the parent prints the total
  bool ladder = false;
  bool dry_run = false;
  int repeat = 1;
  int lane_fd = -1;  // a -j lane (lane.hpp): where its runs come from
  int done_fd = -1;  // a -j lane: where it says each report is written
  std::string shard;  // "K/N": this machine's part of the scenarios named
  bool ipv6 = false;  // scenarios that pin no family run over IPv6
  std::string stuck_after;  // the watchdog's limit per run; empty: run_limit() of each scenario
};

// What every run of this command shares; nullopt (said on stderr) for a bad --stuck-after.
std::optional<RunOptions> run_options(const RunArgs& a, const HostSetup& host) {
  RunOptions options;
  options.peer_program = find_peer_program(self_dir());
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
  try {
    run_lane(a.lane_fd, a.done_fd, *options, std::cout);
  } catch (const Interrupted&) {
    Backstage::get().drain();
    return 130;
  } catch (const ScenarioError& e) {  // the file changed since the parent read it
    std::cerr << e.what() << "\n";
    Backstage::get().drain();
    return 2;
  }
  Backstage::get().drain();
  return 0;
}

int cmd_run(const RunArgs& a, ScenarioDir& dir) {
  if (a.lane_fd >= 0) return cmd_lane(a);
  // Parse and validate everything before anything runs.
  std::vector<fs::path> files;
  std::vector<Scenario> scenarios;
  try {
    if (a.all) files = catalogue_files(dir.get());
    for (const auto& t : a.targets) files.push_back(dir.resolve(t));
    if (files.empty()) {
      std::cerr << "closepath run: name a scenario, a file, or --all (see `closepath list`)\n";
      return 2;
    }
    for (const auto& f : files) {
      scenarios.push_back(parse_scenario_file(f));
      check_sysctls_exist(scenarios.back());
      check_program_user(scenarios.back());  // an unknown user, or one a rootless run cannot become, is the scenario's error
    }
  } catch (const ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  }
  if (!a.shard.empty()) {  // every file was validated above, whichever part runs here
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
  }
  if (a.dry_run) {
    for (const auto& s : scenarios) std::cout << "OK    " << s.name << "  " << display_path(s.file) << "\n";
    return 0;
  }
  if (a.port && scenarios.size() > 1) {
    std::cerr << "closepath run: --port names one run's client port; give one scenario with it\n";
    return 2;
  }
  // Before any thread exists (HostSetup checks): rootless mode, tracefs, interrupt handlers.
  const auto runs = plan_runs(scenarios, a.out, a.repeat);
  const bool parallel = a.jobs > 1 && runs.size() > 1;  // then lanes (child processes) run them, each tracing for itself
  const HostSetup host({.trace = !parallel});
  std::error_code out_error;  // an unwritable --out is found before anything runs
  fs::create_directories(a.out, out_error);
  if (out_error) {
    std::cerr << "closepath run: --out " << a.out.string() << ": " << out_error.message() << "\n";
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  const auto made = run_options(a, host);
  if (!made) return 2;
  const RunOptions& options = *made;
  std::vector<Verdict> verdicts;
  nlohmann::json reports = nlohmann::json::array();
  std::ostream& human = a.json ? std::cerr : std::cout;
  try {
    if (parallel) {
      for (const auto& outcome : run_in_parallel(runs, a.jobs, options.stuck_after, options.family, a.json)) {
        verdicts.push_back(outcome.verdict);
        reports.push_back(outcome.report);
      }
    } else {
      for (const auto& run : runs) {
        // Each run reserves a client port of its own (harness/live/port_reservation.hpp).
        const auto r = run_scenario(*run.scenario, options, run.out_dir, &run != &runs.back());
        write_report(r);
        print_run(human, r, a.ladder);
        verdicts.push_back(r.verdict);
        reports.push_back(report_json(r));
      }
    }
  } catch (const Interrupted&) {
    Backstage::get().drain();
    std::cerr << "closepath: interrupted; everything it set up has been torn down\n";
    return 130;
  }
  Backstage::get().drain();  // the last run's teardown
  const auto count = [&](Verdict v) { return static_cast<std::size_t>(std::count(verdicts.begin(), verdicts.end(), v)); };
  if (!a.no_total) {
    human << count(Verdict::pass) << " passed, " << count(Verdict::fail) + count(Verdict::error) << " failed";
    if (count(Verdict::skipped)) human << ", " << count(Verdict::skipped) << " skipped";
    human << "\n";
    // What the runs had to wait for (declared kernel timers) against what they took.
    std::chrono::milliseconds timers{0};
    for (const auto& run : runs) timers += run.scenario->timers;
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;
    human << std::fixed << std::setprecision(1) << "wall time " << wall.count() << " s; kernel timers waited for "
          << static_cast<double>(timers.count()) / 1000.0 << " s (sum over scenarios, -j " << a.jobs << ")\n";
  }
  if (a.repeat > 1) print_repeat_summary(human, runs, reports);
  if (a.json) std::cout << json_text(reports) << "\n";
  return exit_code_of(verdicts);
}

}  // namespace

int main(int argc, char** argv) {
  self_dir();  // before anything unshares a mount namespace: see catalogue.cpp
  CLI::App app{"closepath: scripted TCP close-path experiments between two real Linux TCP stacks"};
  app.require_subcommand(1);
  app.fallthrough();  // --scenarios may follow the subcommand
  std::string scenarios_dir;
  app.add_option("--scenarios", scenarios_dir,
                 "directory of scenario files (default: the checkout's scenarios/, else the installed catalogue)")
      ->envname("CLOSEPATH_SCENARIOS");

  bool list_json = false;
  auto* list = app.add_subcommand("list", "list the scenario catalogue");
  list->add_flag("--json", list_json, "machine-readable output");

  RunArgs run_args;
  auto* run = app.add_subcommand("run", "run scenarios by NAME or FILE, or --all");
  run->add_option("targets", run_args.targets, "scenario names or files");
  run->add_flag("--all", run_args.all, "run the whole catalogue");
  run->add_option("-j,--jobs", run_args.jobs,
                  "runs in parallel, each in its own namespaces (default: the number of cores, " +
                      std::to_string(default_jobs()) + " here)")
      ->check(CLI::Range(1, 64));
  run->add_option("--out", run_args.out,
                  "output root: each run writes OUT/<scenario>/, or OUT/<scenario>/<n>/ when it runs more than once (default out)");
  run->add_option("--lane-fd", run_args.lane_fd)->group("");  // used by -j for its lanes
  run->add_option("--done-fd", run_args.done_fd)->group("");  // ditto
  run->add_flag("--dry-run", run_args.dry_run, "parse and validate the scenarios, run nothing");
  run->add_option("--repeat", run_args.repeat,
                  "run each scenario N times (OUT/<scenario>/<n>/) and summarise: passes, distinct failures, timing spread")
      ->check(CLI::Range(1, 10000));
  run->add_flag("--json", run_args.json, "print the reports as JSON on stdout");
  run->add_option("--port", run_args.port, "the client's port for a single run (default: a free one is reserved per run)")->check(CLI::Range(1024, 65535));
  run->add_flag("--no-total", run_args.no_total)->group("");  // ditto
  run->add_option("--stuck-after", run_args.stuck_after,
                  "end a run that has no verdict after DURATION (e.g. 90s) and report what it waited for "
                  "(default: the scenario's own deadlines plus 120 s for setup)");
  run->add_flag("--ipv6", run_args.ipv6,
                "run over IPv6 (fd00::1 and fd00::2) every scenario that does not pin a family (`family:`)");
  run->add_option("--shard", run_args.shard,
                  "K/N: run only the K-th of N parts of the scenarios named, balanced by their timers "
                  "(a CI matrix gives each machine one K)");
  run->add_flag("--ladder", run_args.ladder, "print each run's ladder diagram (always printed on failure)");

  std::filesystem::path capture;
  std::string check_scenario;
  OfflineOptions offline;
  auto* check = app.add_subcommand("check", "judge a saved capture against a scenario, without running anything");
  check->add_option("capture", capture, "a pcapng or pcap file")->required()->check(CLI::ExistingFile);
  check->add_option("--scenario", check_scenario, "scenario NAME or FILE")->required();
  check->add_option("--client", offline.client, "the client's ADDR or ADDR:PORT (for captures of other hosts)");
  check->add_flag("--ladder", offline.ladder, "print the ladder even when it passes");
  check->add_flag("--json", offline.json, "print the verdict as JSON (first mismatch, its Wireshark frame number)");
  auto* show = app.add_subcommand("show", "print the ladder diagram of any capture");
  show->add_option("capture", capture, "a pcapng or pcap file")->required()->check(CLI::ExistingFile);
  show->add_option("--client", offline.client, "the client's ADDR or ADDR:PORT");
  show->add_flag("--json", offline.json,
                 "print every TCP connection as JSON: packets with Wireshark's frame numbers and relative seq/ack, "
                 "and the states inferred for each side");

  bool doctor_json = false;
  auto* doctor = app.add_subcommand("doctor", "say what this host can do and how to get what it lacks");
  doctor->add_flag("--json", doctor_json, "machine-readable output");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  ScenarioDir dir(scenarios_dir);
  try {
    if (*list) return cmd_list(dir, list_json);
    if (*run) return cmd_run(run_args, dir);
    if (*doctor) {
      // Probe as a run would: an ordinary user from inside its own user namespace.
      bool rootless = false;
      try {
        rootless = HostSetup({.trace = false, .handlers = false}).rootless();
      } catch (const HostError&) {
        // probe_host() reports user namespaces as refused
      }
      return print_doctor(std::cout, probe_host(rootless), doctor_json);
    }
    offline.colour = colour_for(STDOUT_FILENO);
    if (*check || *show) {
      if (offline.client) {
        try {
          pcap::check_client_hint(*offline.client);
        } catch (const std::invalid_argument& e) {
          std::cerr << "closepath " << (*check ? "check" : "show") << ": --client " << e.what() << "\n";
          return 2;
        }
      }
      try {
        if (*show) return show_capture(capture, offline, std::cout, std::cerr);
        const auto scenario = parse_scenario_file(dir.resolve(check_scenario));
        return check_capture(capture, scenario, offline, std::cout, std::cerr);
      } catch (const ScenarioError&) {
        throw;
      } catch (const pcap::NoSuchConnection& e) {
        std::cerr << capture.string() << ": " << e.what() << "\n";
        return 2;
      } catch (const std::runtime_error& e) {  // an unreadable capture is bad input
        std::cerr << e.what() << "\n";
        return 2;
      }
    }
  } catch (const ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "closepath: " << e.what() << "\n";
    return 2;
  } catch (const HostError& e) {
    std::cerr << "closepath: " << e.what() << "\n";
    return 3;
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "closepath: cannot write its output (see --out): " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "closepath: internal error: " << e.what() << "\n";
    return 3;
  }
  return 2;
}
