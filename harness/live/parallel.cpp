#include "parallel.hpp"

#include "child_process.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "kernel_trace.hpp"
#include "report.hpp"
#include "unique_fd.hpp"
#include "watchdog.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>

namespace closepath {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Beyond a child's own limit: its watchdog fires first and the child tears
// down and reports by itself; the parent steps in only when it does not.
constexpr auto kBackstopGrace = 15s;
constexpr auto kStopWait = 10s;  // after SIGTERM, and again after SIGKILL
constexpr auto kTeardownLimit = 60s;  // for the children still tearing down when the last run is in

// Starts a child for `run`; `done` gets the read end of the pipe on which
// the child says its report is written (its teardown then goes on).
pid_t spawn_child(const PlannedRun& run, std::optional<std::chrono::milliseconds> stuck_after, bool to_stderr,
                  UniqueFd& done) {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) throw HostError(std::string("pipe: ") + std::strerror(errno));
  done.reset(ends[0]);
  UniqueFd write_end(ends[1]);
  std::vector<std::string> argv{"/proc/self/exe", "run", run.scenario->file.string(), "--run-dir", run.out_dir.string(),
                                "--no-total", "--done-fd", std::to_string(write_end.get())};
  if (stuck_after) argv.insert(argv.end(), {"--stuck-after", std::to_string(stuck_after->count()) + "ms"});
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw HostError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    if (to_stderr) dup2(STDERR_FILENO, STDOUT_FILENO);  // the parent's stdout is for its JSON
    fcntl(write_end.get(), F_SETFD, 0);                 // the one descriptor it keeps across exec
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  return pid;
}

ChildOutcome read_outcome(const std::filesystem::path& report_path, int status) {
  ChildOutcome o;
  std::ifstream in(report_path);
  o.report = nlohmann::json::parse(in, nullptr, false);
  if (!in || o.report.is_discarded()) {
    const std::string how = WIFSIGNALED(status) ? std::string("was killed by signal ") + strsignal(WTERMSIG(status))
                                                : "exited with status " + std::to_string(WEXITSTATUS(status));
    o.report = {{"error", report_path.string() + " missing: the run " + how}};
    return o;
  }
  const auto v = o.report.value("verdict", "error");
  o.verdict = v == "pass" ? Verdict::pass : v == "fail" ? Verdict::fail : v == "skipped" ? Verdict::skipped : Verdict::error;
  return o;
}

// A descriptor that becomes readable when the child ends (Linux 5.3+).
UniqueFd pidfd_of(pid_t pid) {
  UniqueFd fd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!fd) throw HostError(std::string("pidfd_open: ") + std::strerror(errno) + " (closepath -j needs Linux 5.3 or later)");
  return fd;
}

// Waits up to `limit` for the child behind `pidfd` to end; true when it was reaped.
bool reap_within(pid_t pid, const UniqueFd& pidfd, std::chrono::milliseconds limit) {
  pollfd p{pidfd.get(), POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(limit.count())) <= 0) return false;
  wait_status(pid);
  return true;
}

struct Child {
  std::size_t run = 0;
  Clock::time_point started, deadline;
  UniqueFd pidfd;
  UniqueFd done;  // readable once the child's report is written (or it died)
};

// A byte on `done`: the report is complete. End of file without one: the
// child ended without saying so (its exit tells the rest).
bool reported(const UniqueFd& done) {
  char byte = 0;
  ssize_t n;
  while ((n = read(done.get(), &byte, 1)) < 0 && errno == EINTR) {}
  return n == 1;
}

// Stops a child that outlived its deadline and reports it in its place.
ChildOutcome stop_stuck(pid_t pid, const Child& child, const PlannedRun& run, std::ostream& human) {
  const auto activity = read_activity(run.out_dir);
  kill(pid, SIGTERM);
  kill(pid, SIGCONT);  // a stopped child (a debugger, SIGSTOP) tears down by itself too
  bool reaped = reap_within(pid, child.pidfd, kStopWait);
  if (!reaped) {
    kill(pid, SIGKILL);
    reaped = reap_within(pid, child.pidfd, kStopWait);
  }
  RunResult r;
  r.scenario = run.scenario;
  r.out_dir = run.out_dir;
  r.verdict = Verdict::error;
  r.seconds = std::chrono::duration<double>(Clock::now() - child.started).count();
  r.first_mismatch = "stuck: the run (pid " + std::to_string(pid) + ") gave no verdict within " +
                     std::to_string(std::chrono::duration_cast<std::chrono::seconds>(child.deadline - child.started).count()) +
                     " s, nor did its own watchdog end it; last seen " +
                     (activity.empty() ? std::string("before it published anything") : activity) +
                     (reaped ? "; it was stopped" : "; it could not be stopped (a process stuck in the kernel)");
  write_report(r);
  print_summary(human, r);
  return {Verdict::error, report_json(r)};
}

}  // namespace

std::vector<ChildOutcome> run_in_parallel(const std::vector<PlannedRun>& runs, int jobs,
                                          std::optional<std::chrono::milliseconds> stuck_after, bool json) {
  std::ostream& human = json ? std::cerr : std::cout;
  std::vector<ChildOutcome> outcomes(runs.size());
  std::map<pid_t, Child> running;
  // Children whose report is in, tearing their run down: they no longer
  // count against `jobs`, and are reaped as they end (all before returning).
  std::map<pid_t, UniqueFd> finishing;
  std::size_t next = 0;
  bool stopped_any = false;
  auto stop_all = [&] {
    for (const auto& [pid, child] : running) kill(pid, SIGTERM);
    for (const auto& [pid, fd] : finishing) kill(pid, SIGTERM);
    for (const auto& [pid, child] : running) wait_status(pid);
    for (const auto& [pid, fd] : finishing) wait_status(pid);
    running.clear();
    finishing.clear();
  };
  try {
    while (next < runs.size() || !running.empty()) {
      check_interrupted();
      while (next < runs.size() && running.size() < static_cast<std::size_t>(jobs)) {
        std::error_code ignored;  // an unwritable --out shows when the child writes its report
        std::filesystem::remove(runs[next].out_dir / "report.json", ignored);
        const auto now = Clock::now();
        const auto limit = stuck_after.value_or(run_limit(*runs[next].scenario));
        // the child reserves its own client port
        UniqueFd done;
        const pid_t pid = spawn_child(runs[next], stuck_after, json, done);
        running.emplace(pid, Child{next, now, now + limit + kBackstopGrace, pidfd_of(pid), std::move(done)});
        ++next;
      }
      // Sleep until a child ends, the nearest deadline passes, or an interrupt.
      std::vector<pollfd> fds;
      auto nearest = Clock::time_point::max();
      for (const auto& [pid, child] : running) {
        fds.push_back({child.pidfd.get(), POLLIN, 0});
        if (child.done) fds.push_back({child.done.get(), POLLIN, 0});
        nearest = std::min(nearest, child.deadline);
      }
      for (const auto& [pid, pidfd] : finishing) fds.push_back({pidfd.get(), POLLIN, 0});
      poll_until(fds, nearest);
      for (auto it = finishing.begin(); it != finishing.end();) {
        if (waitpid(it->first, nullptr, WNOHANG) == it->first) it = finishing.erase(it);
        else ++it;
      }
      for (auto it = running.begin(); it != running.end();) {
        int status = 0;
        const pid_t pid = it->first;
        const std::size_t i = it->second.run;
        pollfd done{it->second.done.get(), POLLIN, 0};
        if (it->second.done && poll(&done, 1, 0) == 1) {
          if (reported(it->second.done)) {  // the verdict is in: the slot is free while it tears down
            outcomes[i] = read_outcome(runs[i].out_dir / "report.json", 0);
            finishing.emplace(pid, std::move(it->second.pidfd));
            it = running.erase(it);
            continue;
          }
          it->second.done.reset();  // it ended without a report: its exit says how
        }
        if (waitpid(pid, &status, WNOHANG) == pid) {
          outcomes[i] = read_outcome(runs[i].out_dir / "report.json", status);
        } else if (Clock::now() > it->second.deadline) {
          outcomes[i] = stop_stuck(pid, it->second, runs[i], human);
          stopped_any = true;
        } else {
          ++it;
          continue;
        }
        it = running.erase(it);
      }
    }
    // Every child ends before this returns. Teardowns are bounded (peers are
    // SIGKILLed, every wait has a limit); one that is not is killed.
    const auto give_up = Clock::now() + kTeardownLimit;
    while (!finishing.empty()) {
      check_interrupted();
      if (Clock::now() > give_up) {
        for (const auto& [pid, pidfd] : finishing) kill(pid, SIGKILL);
        for (const auto& [pid, pidfd] : finishing) wait_status(pid);
        finishing.clear();
        stopped_any = true;  // its trace instance is swept below
        break;
      }
      std::vector<pollfd> fds;
      for (const auto& [pid, pidfd] : finishing) fds.push_back({pidfd.get(), POLLIN, 0});
      poll_until(fds, Clock::now() + 100ms);
      for (auto it = finishing.begin(); it != finishing.end();) {
        if (waitpid(it->first, nullptr, WNOHANG) == it->first) it = finishing.erase(it);
        else ++it;
      }
    }
  } catch (...) {
    stop_all();
    throw;
  }
  // A child killed before its teardown leaves its trace instance: remove it now, not at the next run.
  if (stopped_any) sweep_stale_trace_instances();
  return outcomes;
}

}  // namespace closepath
