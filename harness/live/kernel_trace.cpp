#include "kernel_trace.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <chrono>
#include <thread>
#include <cerrno>
#include <cstring>
#include <sstream>

namespace closepath {
namespace {

const char* const kEvents[] = {"sock/inet_sock_set_state", "tcp/tcp_send_reset", "tcp/tcp_receive_reset"};

bool write_file(const std::filesystem::path& p, const std::string& text, std::string* why) {
  const int fd = open(p.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  const bool ok = fd >= 0 && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (!ok && why) *why = p.string() + ": " + std::strerror(errno);
  if (fd >= 0) close(fd);
  return ok;
}

// Removes instances of runs whose harness died without tearing down.
void remove_stale_instances(const std::filesystem::path& instances) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(instances, ec)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("closepath-", 0) != 0) continue;
    const auto pid = std::atoi(name.c_str() + 10);
    if (pid > 0 && kill(pid, 0) != 0 && errno == ESRCH) rmdir(entry.path().c_str());
  }
}


}  // namespace


std::optional<std::filesystem::path> prepare_tracefs(std::string* why) {
  for (const char* root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"})
    if (std::error_code denied; std::filesystem::exists(std::filesystem::path(root) / "instances", denied)) return root;
  const std::filesystem::path root = "/sys/kernel/tracing";
  if (std::error_code denied; !std::filesystem::is_directory(root, denied)) {
    if (why) *why = root.string() + " does not exist (kernel without tracefs)";
    return std::nullopt;
  }
  // A private mount namespace: the tracefs mount is ours alone and goes with us.
  if (unshare(CLONE_NEWNS) != 0 || mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
      mount("nodev", root.c_str(), "tracefs", 0, nullptr) != 0) {
    if (why) *why = std::string("cannot mount tracefs privately: ") + std::strerror(errno);
    return std::nullopt;
  }
  return root;
}

void sweep_stale_trace_instances() {
  std::string ignored;
  if (const auto root = prepare_tracefs(&ignored)) remove_stale_instances(*root / "instances");
}

namespace {
std::mutex shared_mutex;
std::shared_ptr<KernelTrace> shared_trace;
std::optional<std::string> shared_failure;  // why the instance could not be made, once tried
}  // namespace

std::shared_ptr<KernelTrace> KernelTrace::shared(const std::filesystem::path& tracefs, std::string* why) {
  std::lock_guard lock(shared_mutex);
  if (!shared_trace && !shared_failure) {
    std::string failure;
    shared_trace = start(tracefs, &failure);
    if (!shared_trace) shared_failure = failure;
  }
  if (shared_failure && why) *why = *shared_failure;
  return shared_trace;
}

void KernelTrace::release_shared() {
  std::shared_ptr<KernelTrace> last;
  std::lock_guard lock(shared_mutex);
  last = std::move(shared_trace);  // removed here if no rig holds it, else with the last rig
  shared_failure.reset();
}

std::unique_ptr<KernelTrace> KernelTrace::start(const std::filesystem::path& tracefs, std::string* why) {
  static std::atomic<int> made{0};
  const auto instances = tracefs / "instances";
  remove_stale_instances(instances);
  const auto dir = instances / ("closepath-" + std::to_string(getpid()) + "-" + std::to_string(++made));
  if (mkdir(dir.c_str(), 0700) != 0) {
    if (why) *why = dir.string() + ": " + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<KernelTrace> trace(new KernelTrace(dir));
  if (!write_file(dir / "trace_clock", "mono", why)) return nullptr;
  for (const char* event : kEvents)
    if (!write_file(dir / "events" / event / "enable", "1", why)) return nullptr;
  // trace_pipe, opened once, now: opening it takes the kernel's
  // trace_types_lock, which the making and removing of other instances (of
  // other harness processes) hold for tens of ms. Unlike `trace`, reading it
  // waits for no RCU grace period; reads consume (events() says what that
  // means). Non-blocking: a read ends when it is empty. Close-on-exec: a
  // forked child must not hold the instance open, or removing it fails with EBUSY.
  trace->pipe_.reset(open((dir / "trace_pipe").c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!trace->pipe_) {
    if (why) *why = (dir / "trace_pipe").string() + ": " + std::strerror(errno);
    return nullptr;
  }
  return trace;
}

KernelTrace::~KernelTrace() { remove(); }

void KernelTrace::remove() noexcept {
  pipe_.reset();
  std::string ignored;
  write_file(instance_ / "tracing_on", "0", &ignored);
  for (const char* event : kEvents) write_file(instance_ / "events" / event / "enable", "0", &ignored);
  // The kernel refuses (EBUSY) while any process holds a file of the
  // instance open. Ours are closed and close-on-exec; should anything else
  // hold one a moment longer, try again for up to a second (off the run's
  // clock); what still cannot be removed is left to the stale-instance sweep.
  for (int attempt = 0; rmdir(instance_.c_str()) != 0 && errno == EBUSY && attempt < 100; ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

std::vector<TraceEvent> KernelTrace::events(int port, std::int64_t from_mono_ns) {
  std::vector<TraceEvent> out;
  if (!pipe_) return out;
  std::string text;
  char buf[65536];
  for (ssize_t n; (n = read(pipe_.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR);)
    if (n > 0) text.append(buf, static_cast<std::size_t>(n));
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (auto e = parse_trace_line(line); e && (e->sport == port || e->dport == port) && e->mono_ns >= from_mono_ns)
      out.push_back(std::move(*e));
  return out;
}

}  // namespace closepath
