#include "host_setup.hpp"

#include "errors.hpp"
#include "interrupt.hpp"
#include "kernel_trace.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

namespace closepath {
namespace {

void write_file(const char* path, const std::string& text) {
  const int fd = open(path, O_WRONLY | O_CLOEXEC);
  const bool ok = fd >= 0 && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int e = errno;
  if (fd >= 0) close(fd);
  if (!ok) throw HostError(std::string("rootless mode: writing ") + path + ": " + std::strerror(e));
}

int thread_count() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  return 0;  // unknown: let unshare say
}

// Returns whether the process runs rootless (now, or already: a -j child of a rootless harness).
bool enter_rootless_if_needed() {
  // Children of a rootless harness (-j) are already inside, as root there.
  if (geteuid() == 0) return std::getenv("CLOSEPATH_ROOTLESS") != nullptr;
  const auto uid = getuid();
  const auto gid = getgid();
  if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) != 0)
    throw HostError(std::string("rootless mode: unshare(CLONE_NEWUSER) failed: ") + std::strerror(errno) +
                    " (enable unprivileged user namespaces, e.g. sysctl kernel.unprivileged_userns_clone=1, "
                    "or run as root; `closepath doctor` says more)");
  write_file("/proc/self/setgroups", "deny");
  write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1");
  write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1");
  setenv("CLOSEPATH_ROOTLESS", "1", 1);
  return true;
}

}  // namespace

HostSetup::HostSetup(Wants wants) {
  if (thread_count() > 1)
    throw std::logic_error("HostSetup made after threads started: unshare(2) needs a single-threaded process");
  rootless_ = enter_rootless_if_needed();
  if (!wants.trace) tracefs_unavailable_ = "not traced here";
  else if (rootless_) tracefs_unavailable_ = "rootless mode: the host's tracefs is out of reach (run as root for kernel truth)";
  else tracefs_ = prepare_tracefs(&tracefs_unavailable_);
  if (wants.handlers) install_interrupt_handlers();
}

}  // namespace closepath
