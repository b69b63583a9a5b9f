// The user's own program as one end of a run (bring your own endpoint):
// started in a side's namespace with its argv as given (no shell), in a
// process group of its own, as the scenario's user if it names one, its
// stdout and stderr read line by line with the monotonic time each line
// arrived. The whole group is killed (SIGKILL)
// when this object goes, so nothing it started outlives the run unless it
// left the group (setsid).
#pragma once

#include "netns.hpp"
#include "program_user.hpp"
#include "run_result.hpp"
#include "unique_fd.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace closepath {

// The program could not be started: not found, not executable, or the switch
// to the scenario's user refused. The run fails at its exec step.
struct ProgramNotStarted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ProgramProcess {
 public:
  using Deadline = std::chrono::steady_clock::time_point;
  // Throws ProgramNotStarted when the program cannot be started, HostError
  // when the host refuses a pipe or a pidfd.
  ProgramProcess(Side side, const NetNamespace& ns, const std::vector<std::string>& argv,
                 const std::optional<ProgramUser>& user = std::nullopt);
  ProgramProcess(const ProgramProcess&) = delete;
  ProgramProcess& operator=(const ProgramProcess&) = delete;
  ~ProgramProcess();

  // The first line from index `from` on that matches; nullopt at the
  // deadline, or once the program has ended and its output closed.
  std::optional<std::size_t> wait_line(const std::regex& re, std::size_t from, Deadline until);
  // The wait status once it has ended; nullopt at the deadline.
  std::optional<int> wait_exit(Deadline until);
  void signal(int number);

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
  std::thread reader_;
};

// Describes a wait status: "exit 56", "signal TERM" (the signal's name without SIG).
std::string describe_status(int status);

}  // namespace closepath
