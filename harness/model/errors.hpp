// Exceptions that cross the run boundary, each with its exit code.
// Expected close-path outcomes are values (see protocol/outcome.hpp), never these.
#pragma once

#include <stdexcept>

namespace closepath {

// The host lacks something or refused a setup step (exit 3).
struct HostError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The command line asks for something that cannot be (exit 2).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// SIGINT/SIGTERM arrived; everything is torn down on the way out (exit 130).
struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

// This run's watchdog expired (harness/live/watchdog.hpp): the run is torn down
// and reported as an error naming what it was waiting for; the next one runs.
struct RunStuck : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace closepath
