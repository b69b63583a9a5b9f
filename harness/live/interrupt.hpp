// SIGINT / SIGTERM / SIGHUP become a flag that every wait polls, so a run
// that is interrupted unwinds normally and its RAII guards tear down. A run
// whose watchdog expires is stopped the same way, but only that run.
#pragma once

#include <string>

namespace closepath {

void install_interrupt_handlers();
// A signal arrived, or this run's watchdog expired: every wait stops.
bool interrupted();
// Throws Interrupted when a signal has arrived, RunStuck when the watchdog expired.
void check_interrupted();

// The watchdog's side (harness/live/watchdog.cpp): `why` is what RunStuck says.
void mark_run_stuck(const std::string& why);
void clear_run_stuck();

}  // namespace closepath
