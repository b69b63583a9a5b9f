// What the runner saw when a step could not do its part, as facts. The live
// runner records them, run facts carry them, and the judge alone words them
// (verdict/step_problems.cpp), so a run and `closepath check` of its capture
// say the same.
#pragma once

#include "hosts.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace closepath {

struct NotRun {  // an earlier step made this one impossible: it never ran
  enum class Why : std::uint8_t { peer_crashed, no_tls_session, nothing_to_await, program_not_started, no_program };
  Why why = Why::peer_crashed;
  std::size_t by_step = 0;  // 1-based: the step that made it so (0 when none did: nothing_to_await, no_program)
  std::string ended;        // no_tls_session: how that handshake ended
  bool operator==(const NotRun&) const = default;
};

struct NoListener {  // ready: nothing listened on the port for the run's family in time
  int port = 0;
  Family family = Family::ipv4;
  std::optional<std::string> other_family;   // a listener that was there, of the other family only: its address
  std::optional<std::string> program_ended;  // how the program had ended, if it had
  bool operator==(const NoListener&) const = default;
};

struct NoLine {  // output: no line of the program's matched in time
  std::optional<std::string> last_line;
  std::optional<std::string> program_ended;  // it ended before printing one
  bool operator==(const NoLine&) const = default;
};

struct RunnerError {  // what the host said: a fault it could not apply, a destroy, an exec that failed
  std::string text;
  bool operator==(const RunnerError&) const = default;
};

using StepProblem = std::variant<NotRun, NoListener, NoLine, RunnerError>;

}  // namespace closepath
