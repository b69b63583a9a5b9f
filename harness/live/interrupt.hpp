// SIGINT / SIGTERM / SIGHUP become a flag that every wait watches, so a run
// that is interrupted unwinds normally and its RAII guards tear down. A run
// whose watchdog expires is stopped the same way, but only that run.
//
// Waits never poll the flag on a timer: wake_fd() becomes readable whenever
// the flag is raised (the signal handler writes it, which is
// async-signal-safe), so a wait is a poll(2) on it and whatever it waits for.
#pragma once

#include <poll.h>

#include <chrono>
#include <span>
#include <string>

namespace closepath {

void install_interrupt_handlers();
// A signal arrived, or this run's watchdog expired: every wait stops.
bool interrupted();
// Throws Interrupted when a signal has arrived, RunStuck when the watchdog expired.
void check_interrupted();
// Readable once interrupted() turns true (an eventfd; never read it).
int wake_fd();
// Sleeps for `d`, or less when interrupted (then throws, as check_interrupted).
void interruptible_sleep(std::chrono::nanoseconds d);
// The one way a wait blocks: poll(2) on `fds` and wake_fd() together until
// one is ready or `until` passes. Fills in `fds`' revents and returns how
// many of them are ready (0: timed out, woken, or EINTR; the caller looks at
// interrupted() and its clock). Throws HostError when poll itself fails.
int poll_until(std::span<pollfd> fds, std::chrono::steady_clock::time_point until);

// The watchdog's side (harness/live/watchdog.cpp): `why` is what RunStuck says.
void mark_run_stuck(const std::string& why);
void clear_run_stuck();

}  // namespace closepath
