#include "kernel_trace.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
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

std::int64_t parse_timestamp(const std::string& text) {
  // "12345.678901" seconds with microseconds
  const auto dot = text.find('.');
  if (dot == std::string::npos) return 0;
  return std::stoll(text.substr(0, dot)) * 1'000'000'000 + std::stoll(text.substr(dot + 1, 6)) * 1000;
}

}  // namespace

std::optional<TraceEvent> parse_trace_line(const std::string& line) {
  if (line.empty() || line[0] == '#') return std::nullopt;
  // "  comm-pid  [001] ..s1.  123.456789: event_name: key=value key=value"
  const auto colon = line.find(": ");
  if (colon == std::string::npos) return std::nullopt;
  const auto ts_start = line.rfind(' ', colon);
  const auto name_end = line.find(": ", colon + 2);
  if (ts_start == std::string::npos || name_end == std::string::npos) return std::nullopt;
  TraceEvent e;
  e.event = line.substr(colon + 2, name_end - colon - 2);
  if (e.event != "inet_sock_set_state" && e.event != "tcp_send_reset" && e.event != "tcp_receive_reset")
    return std::nullopt;
  try {
    e.mono_ns = parse_timestamp(line.substr(ts_start + 1, colon - ts_start - 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::istringstream fields(line.substr(name_end + 2));
  for (std::string kv; fields >> kv;) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    const auto key = kv.substr(0, eq), value = kv.substr(eq + 1);
    if (key == "sport") e.sport = static_cast<std::uint16_t>(std::stoi(value));
    else if (key == "dport") e.dport = static_cast<std::uint16_t>(std::stoi(value));
    else if (key == "saddr") e.saddr = value;
    else if (key == "daddr") e.daddr = value;
    else if (key == "src" || key == "dest") {  // tcp_send_reset: "addr:port"
      const auto sep = value.rfind(':');
      if (sep == std::string::npos) continue;
      const auto port = static_cast<std::uint16_t>(std::stoi(value.substr(sep + 1)));
      (key == "src" ? e.saddr : e.daddr) = value.substr(0, sep);
      (key == "src" ? e.sport : e.dport) = port;
    } else if (key == "reason") e.reason = value;
    else if (key == "state") e.oldstate = value.rfind("TCP_", 0) == 0 ? value.substr(4) : value;
    else if (key == "oldstate") e.oldstate = value.rfind("TCP_", 0) == 0 ? value.substr(4) : value;
    else if (key == "newstate") e.newstate = value.rfind("TCP_", 0) == 0 ? value.substr(4) : value;
  }
  return e;
}

std::optional<std::filesystem::path> prepare_tracefs(std::string* why) {
  for (const char* root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"})
    if (std::filesystem::exists(std::filesystem::path(root) / "instances")) return root;
  const std::filesystem::path root = "/sys/kernel/tracing";
  if (!std::filesystem::is_directory(root)) {
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

std::unique_ptr<KernelTrace> KernelTrace::start(const std::filesystem::path& tracefs, int port, std::string* why) {
  const auto instances = tracefs / "instances";
  remove_stale_instances(instances);
  const auto dir = instances / ("closepath-" + std::to_string(getpid()) + "-" + std::to_string(port));
  if (mkdir(dir.c_str(), 0700) != 0) {
    if (why) *why = dir.string() + ": " + std::strerror(errno);
    return nullptr;
  }
  std::unique_ptr<KernelTrace> trace(new KernelTrace(dir, port));
  const std::string filter = "sport == " + std::to_string(port) + " || dport == " + std::to_string(port);
  if (!write_file(dir / "trace_clock", "mono", why)) return nullptr;
  for (const char* event : kEvents) {
    const auto e = dir / "events" / event;
    // Some kernels' tcp_send_reset has no port fields (only src/dest
    // sockaddrs): it then records unfiltered and events() filters by port.
    std::string ignored;
    if (!write_file(e / "filter", filter, &ignored) && event != std::string("tcp/tcp_send_reset")) {
      if (why) *why = ignored;
      return nullptr;
    }
    if (!write_file(e / "enable", "1", why)) return nullptr;
  }
  return trace;
}

KernelTrace::~KernelTrace() { remove(); }

void KernelTrace::remove() noexcept {
  std::string ignored;
  write_file(instance_ / "tracing_on", "0", &ignored);
  for (const char* event : kEvents) write_file(instance_ / "events" / event / "enable", "0", &ignored);
  rmdir(instance_.c_str());
}

std::vector<TraceEvent> KernelTrace::events() const {
  std::vector<TraceEvent> out;
  std::ifstream in(instance_ / "trace");
  for (std::string line; std::getline(in, line);)
    if (auto e = parse_trace_line(line); e && (e->sport == port_ || e->dport == port_)) out.push_back(std::move(*e));
  return out;
}

}  // namespace closepath
