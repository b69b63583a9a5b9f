#include "interrupt.hpp"

#include "errors.hpp"

#include <atomic>
#include <csignal>

namespace closepath {
namespace {
std::atomic<bool> g_interrupted{false};
extern "C" void on_signal(int) { g_interrupted.store(true); }
}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

bool interrupted() { return g_interrupted.load(); }

void check_interrupted() {
  if (interrupted()) throw Interrupted();
}

}  // namespace closepath
