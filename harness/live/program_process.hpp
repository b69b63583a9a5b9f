// The user's own program as one end of a run (bring your own endpoint):
// started in a side's namespace with its argv as given (no shell), in a
// process group of its own, as the scenario's user if it names one, its
// stdout and stderr read line by line with the monotonic time each line
// arrived. Everything it starts is in its scope (program_scope.hpp: its own
// cgroup, or its namespace), which is ended (SIGKILL) when this object goes:
// nothing it started outlives the run, a daemon that left its process group
// included.
#pragma once

#include "netns.hpp"
#include "program_scope.hpp"
#include "program_user.hpp"
#include "run_result.hpp"
#include "unique_fd.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace closepath {

// The program could not be started: not found, not executable, or the switch
// to the scenario's user refused. The run fails at its exec step.
struct ProgramNotStarted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What a program starts with besides its argv: the scenario's user and its
// side's `programs:` world, placeholders filled in.
struct ProgramStart {
  std::optional<ProgramUser> user;  // none: as closepath runs
  std::vector<std::pair<std::string, std::string>> env;  // over the inherited environment
  std::optional<std::string> cwd;   // none: closepath's working directory
  std::string stdin_file = "/dev/null";
};

class ProgramProcess {
 public:
  using Deadline = std::chrono::steady_clock::time_point;
  // Throws ProgramNotStarted when the program cannot be started, HostError
  // when the host refuses a pipe or a pidfd.
  // `exec_step`: the step that started it; `not_ours`: processes of `ns` that are not its (the peer).
  ProgramProcess(Side side, const NetNamespace& ns, const std::vector<std::string>& argv,
                 const ProgramStart& start = {}, std::size_t exec_step = 0,
                 std::vector<pid_t> not_ours = {});
  ProgramProcess(const ProgramProcess&) = delete;
  ProgramProcess& operator=(const ProgramProcess&) = delete;
  ~ProgramProcess();

  // The first line from index `from` on that matches; nullopt at the
  // deadline, or once the program has ended and its output closed.
  std::optional<std::size_t> wait_line(const std::regex& re, std::size_t from, Deadline until);
  // The wait status once it has ended; nullopt at the deadline.
  std::optional<int> wait_exit(Deadline until);
  void signal(int number);
  // After the timeline: what it left running once it had ended (a daemon),
  // kept for record(). Nothing while it still runs: its processes are its own.
  void note_what_it_left();

  // What it was run as, has printed so far and ended with.
  ProgramRecord record() const;
  Side side() const { return side_; }
  std::optional<int> status() const;

 private:
  void read_until_stopped();           // the reader thread
  template <typename Ready>
  bool wait(Ready ready, Deadline until);
  void announce();                     // wakes waiters: a line or the exit arrived

  Side side_;
  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  UniqueFd out_, err_, pidfd_, news_, stop_;
  mutable std::mutex mutex_;
  std::vector<ProgramRecord::Line> lines_;
  std::optional<int> status_;
  bool output_closed_ = false;  // both pipes at EOF
  std::size_t exec_step_ = 0;
  std::size_t left_running_ = 0;
  std::unique_ptr<ProgramScope> scope_;
  std::thread reader_;
};

// Describes a wait status: "exit 56", "signal TERM" (the signal's name without SIG).
std::string describe_status(int status);

}  // namespace closepath
