#include "netns.hpp"

#include "child_process.hpp"
#include "errors.hpp"
#include "interrupt.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <thread>
#include <utility>

namespace closepath {
namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// tc and nft answer in milliseconds; a stalled kernel must not stall the run.
constexpr auto kCommandLimit = std::chrono::seconds(30);

// Opens and writes /proc/sys/PATH on the calling thread; errno, or 0.
int write_proc_sys(const std::string& path, const std::string& value) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return errno;
  return write(fd.get(), value.data(), value.size()) == static_cast<ssize_t>(value.size()) ? 0 : errno;
}

}  // namespace

NetNamespace NetNamespace::create(const NetNamespace* from) {
  UniqueFd home(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!home) throw HostError(errno_text("open /proc/thread-self/ns/net"));
  if (from && setns(from->fd(), CLONE_NEWNET) != 0) throw HostError(errno_text("setns into the namespace test namespaces are made from"));
  if (unshare(CLONE_NEWNET) != 0) {
    const int saved_errno = errno;
    if (from && setns(home.get(), CLONE_NEWNET) != 0) std::abort();  // cannot continue in the wrong namespace
    errno = saved_errno;
    throw HostError(errno_text("unshare(CLONE_NEWNET)") +
                    " (closepath needs root or CAP_SYS_ADMIN; `closepath doctor` says what is missing)");
  }
  UniqueFd fd(open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  const int saved_errno = errno;
  if (setns(home.get(), CLONE_NEWNET) != 0) std::abort();  // cannot continue in the wrong namespace
  if (!fd) {
    errno = saved_errno;
    throw HostError(errno_text("open the new namespace"));
  }
  return NetNamespace(std::move(fd));
}

std::filesystem::path find_program(const std::string& name) {
  for (const char* dir : {"/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/local/bin"}) {
    const auto p = std::filesystem::path(dir) / name;
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  throw HostError(name + " not found (install it: apt-get install " +
                  (name == "ip" || name == "tc" ? std::string("iproute2") : name) + ")");
}

void run_in(const NetNamespace& ns, const std::vector<std::string>& argv) {
  const auto program = find_program(argv.at(0));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) throw HostError(errno_text("pipe"));
  UniqueFd read_end(ends[0]), write_end(ends[1]);  // both closed however this ends (fork_in throws too)
  const pid_t pid = fork_in(ns, [&] {
    dup2(write_end.get(), STDOUT_FILENO);
    dup2(write_end.get(), STDERR_FILENO);
    execv(program.c_str(), args.data());
  });
  write_end.reset();
  std::string command;
  for (const auto& a : argv) command += (command.empty() ? "" : " ") + a;
  // Read until the command closes its output, its limit passes, or the run is interrupted or stuck.
  const auto deadline = std::chrono::steady_clock::now() + kCommandLimit;
  std::string output;
  char buf[512];
  bool overdue = false;
  while (!interrupted()) {
    if ((overdue = std::chrono::steady_clock::now() >= deadline)) break;
    pollfd p{read_end.get(), POLLIN, 0};
    if (poll_until({&p, 1}, deadline) == 0) continue;
    const ssize_t n = read(read_end.get(), buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
    if (n > 0) output.append(buf, static_cast<std::size_t>(n));
  }
  read_end.reset();
  if (overdue || interrupted()) {
    kill(pid, SIGKILL);
    wait_status(pid);
    check_interrupted();
    throw HostError("`" + command + "` did not finish within " + std::to_string(kCommandLimit.count()) +
                    " s in a test namespace (killed)");
  }
  const int status = wait_status(pid);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  while (!output.empty() && output.back() == '\n') output.pop_back();
  throw HostError("`" + command + "` failed in a test namespace: " +
                  (output.empty() ? "exit status " + std::to_string(WEXITSTATUS(status)) : output));
}

void on_thread_in(const NetNamespace& ns, const std::function<void()>& f) {
  std::exception_ptr failed;
  std::thread([&] {
    try {
      if (setns(ns.fd(), CLONE_NEWNET) != 0) throw HostError(errno_text("setns into a test namespace"));
      f();
    } catch (...) {
      failed = std::current_exception();
    }
  }).join();
  if (failed) std::rethrow_exception(failed);
}

namespace {

std::string proc_sys_path(const std::string& key) {
  std::string path = "/proc/sys/" + key;
  std::replace(path.begin() + 10, path.end(), '.', '/');
  return path;
}

// Writes one sysctl from a child with a /proc of its own (/proc/sys read-only here); errno, or 0.
int write_sysctl_in_child(const NetNamespace& ns, const std::string& path, const std::string& value) {
  const pid_t pid = fork_in(ns, [&] {
    if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
      _exit(EROFS);
    _exit(write_proc_sys(path, value));
  });
  const int status = wait_status(pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
}

}  // namespace

void write_sysctls(const NetNamespace& ns, const Sysctls& settings) {
  // /proc/sys/net shows the namespace of the thread that opens it: a thread
  // that joined `ns` writes them without a fork.
  std::size_t done = 0;
  int error = 0;
  on_thread_in(ns, [&] {
    for (; done < settings.size(); ++done)
      if ((error = write_proc_sys(proc_sys_path(settings[done].first), settings[done].second)) != 0) return;
  });
  for (; done < settings.size(); ++done) {
    const auto& [key, value] = settings[done];
    // Containers mount /proc/sys read-only. A child alone gets a private
    // mount namespace with a fresh proc, whose net.* files belong to `ns`.
    if (error == EROFS) error = write_sysctl_in_child(ns, proc_sys_path(key), value);
    if (error != 0) throw HostError("sysctl " + key + "=" + value + " in a test namespace: " + std::strerror(error));
    error = EROFS;  // the rest go the same way
  }
}

std::string read_sysctl(const NetNamespace& ns, const std::string& key) {
  std::string value;
  int error = 0;
  on_thread_in(ns, [&] {
    UniqueFd fd(open(proc_sys_path(key).c_str(), O_RDONLY | O_CLOEXEC));
    char buf[256];
    const ssize_t n = fd ? read(fd.get(), buf, sizeof buf) : -1;
    if (n < 0) error = errno;
    else value.assign(buf, static_cast<std::size_t>(n));
  });
  if (error != 0) throw HostError("read sysctl " + key + " in a test namespace: " + std::strerror(error));
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  return value;
}

}  // namespace closepath
