#include "interrupt.hpp"

#include "errors.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>
#include <csignal>
#include <cstdint>
#include <mutex>

namespace closepath {
namespace {
std::atomic<bool> g_interrupted{false};
std::atomic<bool> g_stuck{false};
std::mutex g_stuck_mutex;
std::string g_stuck_why;  // guarded by g_stuck_mutex
// Made before any handler is installed and never closed: the handler may write it at any time.
const int g_wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

void raise_wake() {
  const std::uint64_t one = 1;
  (void)!write(g_wake_fd, &one, sizeof one);
}

extern "C" void on_signal(int) {
  g_interrupted.store(true);
  raise_wake();
}
}  // namespace

void install_interrupt_handlers() {
  // Without it no wait could be woken by an interrupt: say so, never run deaf to Ctrl-C.
  if (g_wake_fd < 0) throw HostError(std::string("eventfd (the interrupt's wake-up): ") + std::strerror(errno));
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

bool interrupted() { return g_interrupted.load() || g_stuck.load(); }

void check_interrupted() {
  if (g_interrupted.load()) throw Interrupted();
  if (g_stuck.load()) {
    std::lock_guard lock(g_stuck_mutex);
    throw RunStuck(g_stuck_why);
  }
}

int wake_fd() {
  if (g_wake_fd < 0) throw HostError(std::string("eventfd (the interrupt's wake-up) could not be made: ") + std::strerror(errno));
  return g_wake_fd;
}

int poll_until(std::span<pollfd> fds, std::chrono::steady_clock::time_point until) {
  std::vector<pollfd> all(fds.begin(), fds.end());
  all.push_back({g_wake_fd, POLLIN, 0});
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
  const int timeout = static_cast<int>(std::clamp<std::int64_t>(left, 0, 24 * 3600 * 1000));
  if (poll(all.data(), all.size(), timeout) < 0) {
    if (errno == EINTR) return 0;
    throw HostError(std::string("poll: ") + std::strerror(errno));
  }
  int ready = 0;
  for (std::size_t i = 0; i < fds.size(); ++i) ready += (fds[i].revents = all[i].revents) != 0;
  return ready;
}

void interruptible_sleep(std::chrono::nanoseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  for (;;) {
    check_interrupted();
    if (std::chrono::steady_clock::now() >= until) return;
    poll_until({}, until);  // returns early only when woken (or EINTR)
  }
}

void mark_run_stuck(const std::string& why) {
  {
    std::lock_guard lock(g_stuck_mutex);
    g_stuck_why = why;
  }
  g_stuck.store(true);
  raise_wake();
}

void clear_run_stuck() {
  g_stuck.store(false);
  std::uint64_t drained = 0;
  (void)!read(g_wake_fd, &drained, sizeof drained);
  if (g_interrupted.load()) raise_wake();  // a signal that came meanwhile keeps waking every wait
}

}  // namespace closepath
