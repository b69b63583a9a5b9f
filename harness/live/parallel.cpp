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
#include <numeric>

namespace closepath {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Beyond a child's own limit: its watchdog fires first and the child tears
// down and reports by itself; the parent steps in only when it does not.
constexpr auto kBackstopGrace = 15s;
constexpr auto kStopWait = 10s;  // after SIGTERM, and again after SIGKILL
constexpr auto kTeardownLimit = 60s;  // for the children still tearing down when the last run is in

// What a lane is told of the run's options, as `closepath run` options.
std::vector<std::string> lane_options(const RunOptions& o) {
  std::vector<std::string> argv;
  if (o.stuck_after) argv.insert(argv.end(), {"--stuck-after", std::to_string(o.stuck_after->count()) + "ms"});
  if (o.family == Family::ipv6) argv.push_back("--ipv6");
  std::string peers;
  for (const auto& [side, runtime] : o.peers) peers += (peers.empty() ? "" : ",") + to_string(side) + "=" + runtime;
  if (!peers.empty()) argv.insert(argv.end(), {"--peer", peers});
  return argv;
}

// Starts a lane (lane.hpp): `assign` gets the write end of the pipe its
// assignments go down, `done` the read end of the one it answers on.
pid_t spawn_lane(const std::vector<std::string>& options, bool to_stderr, UniqueFd& assign, UniqueFd& done) {
  int to_lane[2], from_lane[2];
  if (pipe2(to_lane, O_CLOEXEC) != 0) throw HostError(std::string("pipe: ") + std::strerror(errno));
  UniqueFd assign_read(to_lane[0]);
  assign.reset(to_lane[1]);
  if (pipe2(from_lane, O_CLOEXEC) != 0) throw HostError(std::string("pipe: ") + std::strerror(errno));
  done.reset(from_lane[0]);
  UniqueFd done_write(from_lane[1]);
  std::vector<std::string> argv{"/proc/self/exe", "run",      "--lane-fd", std::to_string(assign_read.get()),
                                "--done-fd",      std::to_string(done_write.get()), "--no-total"};
  argv.insert(argv.end(), options.begin(), options.end());
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
    fcntl(assign_read.get(), F_SETFD, 0);               // the two descriptors it keeps across exec
    fcntl(done_write.get(), F_SETFD, 0);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  return pid;
}

// Hands run `i` to a lane: its file, its directory, its seed, whether more follow.
void assign(int fd, const PlannedRun& run, bool more) {
  std::string message = run.scenario->file.string() + '\0' + run.out_dir.string() + '\0' + std::to_string(run.seed) + '\0' +
                        (more ? "more" : "last") + '\0';
  for (std::size_t sent = 0; sent < message.size();) {
    const ssize_t n = write(fd, message.data() + sent, message.size() - sent);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw HostError(std::string("handing a run to a -j lane: ") + std::strerror(errno));
    sent += static_cast<std::size_t>(n);
  }
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

// A lane process, and the run it is on (if any).
struct Lane {
  UniqueFd pidfd;
  UniqueFd assign;  // where its assignments go; closed: it finishes and exits
  UniqueFd done;    // a byte per report written
  std::optional<std::size_t> run;
  Clock::time_point started, deadline;
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
ChildOutcome stop_stuck(pid_t pid, const Lane& child, const PlannedRun& run, std::ostream& human) {
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
  auto report = write_report(r);
  print_summary(human, r);
  return {Verdict::error, std::move(report)};
}

// Hands the runs out to up to `jobs` lanes, collects their verdicts, and
// stops a lane whose run is stuck.
class LaneScheduler {
 public:
  LaneScheduler(const std::vector<PlannedRun>& runs, int jobs, const RunOptions& options, bool json)
      : runs_(runs), jobs_(jobs), stuck_after_(options.stuck_after), lane_options_(lane_options(options)), json_(json),
        human_(json ? std::cerr : std::cout), outcomes_(runs.size()), order_(runs.size()) {
    // Handed out longest first (by declared timers, then as planned), so a
    // long run does not start last and leave the other lanes idle; outcomes
    // keep the planned order.
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    std::stable_sort(order_.begin(), order_.end(),
                     [&](std::size_t a, std::size_t b) { return runs[a].scenario->timers > runs[b].scenario->timers; });
  }

  std::vector<ChildOutcome> run() {
    try {
      while (next_ < runs_.size() || busy()) {
        check_interrupted();
        fill();
        sleep_until_news();
        collect();
      }
      finish();
    } catch (...) {
      stop_all();
      throw;
    }
    // A lane killed before its teardown leaves its trace instance: remove it now, not at the next run.
    if (stopped_any_) sweep_stale_trace_instances();
    return std::move(outcomes_);
  }

 private:
  bool busy() const {
    return std::any_of(lanes_.begin(), lanes_.end(), [](const auto& l) { return l.second.run.has_value(); });
  }

  void stop_all() {
    for (const auto& [pid, lane] : lanes_) kill(pid, SIGTERM);
    for (const auto& [pid, lane] : lanes_) wait_status(pid);
    lanes_.clear();
  }

  void hand_out(Lane& lane) {
    const std::size_t i = order_[next_++];
    std::error_code ignored;  // an unwritable --out shows when the lane writes its report
    std::filesystem::remove(runs_[i].out_dir / "report.json", ignored);
    lane.run = i;
    lane.started = Clock::now();
    lane.deadline = lane.started + stuck_after_.value_or(run_limit(*runs_[i].scenario)) + kBackstopGrace;
    assign(lane.assign.get(), runs_[i], next_ < runs_.size());
  }

  // Idle lanes first (they keep their trace instance and rig built ahead), then new ones, up to `jobs`.
  void fill() {
    for (auto& [pid, lane] : lanes_)
      if (!lane.run && next_ < runs_.size()) hand_out(lane);
    while (next_ < runs_.size() && lanes_.size() < static_cast<std::size_t>(jobs_)) {
      Lane lane;
      const pid_t pid = spawn_lane(lane_options_, json_, lane.assign, lane.done);
      lane.pidfd = pidfd_of(pid);
      hand_out(lanes_.emplace(pid, std::move(lane)).first->second);
    }
  }

  // Sleeps until a lane reports or ends, the nearest deadline passes, or an interrupt.
  void sleep_until_news() {
    std::vector<pollfd> fds;
    auto nearest = Clock::time_point::max();
    for (const auto& [pid, lane] : lanes_) {
      fds.push_back({lane.pidfd.get(), POLLIN, 0});
      if (!lane.run) continue;
      fds.push_back({lane.done.get(), POLLIN, 0});
      nearest = std::min(nearest, lane.deadline);
    }
    poll_until(fds, nearest);
  }

  // Verdicts in, lanes that ended, runs past their deadline.
  void collect() {
    for (auto it = lanes_.begin(); it != lanes_.end();) {
      const pid_t pid = it->first;
      Lane& lane = it->second;
      pollfd done{lane.done.get(), POLLIN, 0};
      if (lane.run && poll(&done, 1, 0) == 1 && reported(lane.done)) {  // the verdict is in; it tears down meanwhile
        outcomes_[*lane.run] = read_outcome(runs_[*lane.run].out_dir / "report.json", 0);
        lane.run.reset();
        ++it;
        continue;
      }
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {  // it ended: with a run in hand, that run ends with it
        if (lane.run) outcomes_[*lane.run] = read_outcome(runs_[*lane.run].out_dir / "report.json", status);
      } else if (lane.run && Clock::now() > lane.deadline) {
        outcomes_[*lane.run] = stop_stuck(pid, lane, runs_[*lane.run], human_);
        stopped_any_ = true;
      } else {
        ++it;
        continue;
      }
      it = lanes_.erase(it);
    }
  }

  // No more runs: each lane finishes its last teardown and exits. Every
  // lane ends before this returns; teardowns are bounded (peers are
  // SIGKILLed, every wait has a limit), and one that is not is killed.
  void finish() {
    for (auto& [pid, lane] : lanes_) lane.assign.reset();
    const auto give_up = Clock::now() + kTeardownLimit;
    while (!lanes_.empty()) {
      check_interrupted();
      if (Clock::now() > give_up) {
        for (const auto& [pid, lane] : lanes_) kill(pid, SIGKILL);
        for (const auto& [pid, lane] : lanes_) wait_status(pid);
        lanes_.clear();
        stopped_any_ = true;  // its trace instance is swept after
        return;
      }
      std::vector<pollfd> fds;
      for (const auto& [pid, lane] : lanes_) fds.push_back({lane.pidfd.get(), POLLIN, 0});
      poll_until(fds, Clock::now() + 100ms);
      for (auto it = lanes_.begin(); it != lanes_.end();) {
        if (waitpid(it->first, nullptr, WNOHANG) == it->first) it = lanes_.erase(it);
        else ++it;
      }
    }
  }

  const std::vector<PlannedRun>& runs_;
  const int jobs_;
  const std::optional<std::chrono::milliseconds> stuck_after_;
  const std::vector<std::string> lane_options_;
  const bool json_;
  std::ostream& human_;
  std::vector<ChildOutcome> outcomes_;
  std::vector<std::size_t> order_;
  std::size_t next_ = 0;  // into order_
  std::map<pid_t, Lane> lanes_;
  bool stopped_any_ = false;
};

}  // namespace

std::vector<ChildOutcome> run_in_parallel(const std::vector<PlannedRun>& runs, int jobs, const RunOptions& options, bool json) {
  return LaneScheduler(runs, jobs, options, json).run();
}

}  // namespace closepath
