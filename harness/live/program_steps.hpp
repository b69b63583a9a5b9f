// The steps that drive the user's own program on one side: exec, ready,
// output, signal, exit. Each records its outcome, and what only the runner
// can see when the program did not do what the step waits for.
#pragma once

#include "live_run.hpp"
#include "placeholders.hpp"

#include <map>
#include <optional>
#include <string>

namespace closepath {

class ProgramSteps {
 public:
  ProgramSteps(const Scenario& s, LiveRun& live, RunResult& r) : s_(s), live_(live), r_(r) {}
  // Step `index`; `where` names it for the watchdog's activity record.
  void run(const ProgramStep& ps, std::size_t index, const std::string& where);
  // What the run gives its placeholders.
  PlaceholderValues placeholder_values() const;

 private:
  void await_ready(const ProgramStep& ps, const ProgramProcess& slot, std::chrono::steady_clock::time_point until,
                   StepResult& sr, std::int64_t start);
  void exec(const ProgramStep& ps, const Exec& e, std::size_t index, StepResult& sr, std::int64_t start);
  std::vector<std::string> substitute(std::vector<std::string> argv) const;
  ProgramStart start_of(Side side) const;
  bool listening(Side side, const ProgramProcess& program, std::chrono::steady_clock::time_point until,
                 std::optional<SocketEntry>& other_family) const;

  const Scenario& s_;
  LiveRun& live_;
  RunResult& r_;
  std::map<Side, std::size_t> output_from_;  // the first line an output step may match
  std::map<Side, std::size_t> failed_exec_;  // sides whose latest exec failed: that step
};

}  // namespace closepath
