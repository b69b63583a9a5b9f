#include "rootless.hpp"

#include "errors.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace closepath {
namespace {

bool g_rootless = false;

void write_file(const char* path, const std::string& text) {
  const int fd = open(path, O_WRONLY | O_CLOEXEC);
  const bool ok = fd >= 0 && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int e = errno;
  if (fd >= 0) close(fd);
  if (!ok) throw HostError(std::string("rootless mode: writing ") + path + ": " + std::strerror(e));
}

}  // namespace

void enter_rootless_if_needed() {
  // Children of a rootless harness (-j) are already inside, as root there.
  if (geteuid() == 0) {
    g_rootless = std::getenv("CLOSEPATH_ROOTLESS") != nullptr;
    return;
  }
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
  g_rootless = true;
}

bool rootless() { return g_rootless; }

}  // namespace closepath
