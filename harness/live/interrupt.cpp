#include "interrupt.hpp"

#include "errors.hpp"

#include <atomic>
#include <csignal>
#include <mutex>

namespace closepath {
namespace {
std::atomic<bool> g_interrupted{false};
std::atomic<bool> g_stuck{false};
std::mutex g_stuck_mutex;
std::string g_stuck_why;  // guarded by g_stuck_mutex
extern "C" void on_signal(int) { g_interrupted.store(true); }
}  // namespace

void install_interrupt_handlers() {
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

void mark_run_stuck(const std::string& why) {
  {
    std::lock_guard lock(g_stuck_mutex);
    g_stuck_why = why;
  }
  g_stuck.store(true);
}

void clear_run_stuck() { g_stuck.store(false); }

}  // namespace closepath
