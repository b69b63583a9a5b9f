#include "activity_probe.hpp"
#include "tcp_states.hpp"

#include "errors.hpp"
#include "socket_audit.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace closepath {
namespace {

UniqueFd open_net_file(const char* name) {
  const std::string path = std::string("/proc/thread-self/net/") + name;
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw HostError("open " + path + " in a test namespace: " + std::strerror(errno));
  return fd;
}

// The whole of a /proc/net file as it is now (seq_file makes it afresh from offset 0).
std::string contents(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    const auto n = pread(fd, buf, sizeof buf, static_cast<off_t>(out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw HostError(std::string("read a test namespace's /proc/net: ") + std::strerror(errno));
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

// /proc/net/dev: "  eth0: rx_bytes rx_packets ... (8 receive fields) tx_bytes tx_packets ...".
void read_dev(const std::string& text, Counters& a) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto name = line.substr(line.find_first_not_of(' '), colon - line.find_first_not_of(' '));
    std::istringstream fields(line.substr(colon + 1));
    std::vector<std::uint64_t> v;
    for (std::uint64_t x; fields >> x;) v.push_back(x);
    if (v.size() < 10) continue;
    if (name == "eth0") a.eth_rx = v[1], a.eth_tx = v[9];
    else if (name == "lo") a.lo_rx = v[1];
  }
}

// /proc/net/snmp: an "Ip:" line of names, then one of values.
std::uint64_t ip_in_receives(const std::string& text) {
  std::istringstream lines(text);
  std::string names, values;
  while (std::getline(lines, names))
    if (names.rfind("Ip: ", 0) == 0 && std::getline(lines, values)) break;
  std::istringstream n(names), v(values);
  for (std::string name, value; n >> name && v >> value;)
    if (name == "InReceives") return std::stoull(value);
  throw HostError("a test namespace's /proc/net/snmp has no Ip InReceives");
}

// /proc/net/snmp6: one "Ip6InReceives <n>" line among many.
std::uint64_t ip6_in_receives(const std::string& text) {
  std::istringstream lines(text);
  for (std::string name, value; lines >> name >> value;)
    if (name == "Ip6InReceives") return std::stoull(value);
  throw HostError("a test namespace's /proc/net/snmp6 has no Ip6InReceives");
}

}  // namespace

ActivityProbe::ActivityProbe(const NetNamespace& ns) {
  on_thread_in(ns, [&] {
    dev_ = open_net_file("dev");
    snmp_ = open_net_file("snmp");
    snmp6_ = open_net_file("snmp6");
  });
  diag_ = diag_socket_in(ns);
}

std::vector<SocketEntry> ActivityProbe::sockets() const { return audit_sockets(diag_.get()); }

Counters ActivityProbe::counters() const {
  Counters c;
  // IP's count first: a frame it took in after this read is still to come
  // when the interface counters, read next, already show it.
  c.ip_in = ip_in_receives(contents(snmp_.get())) + ip6_in_receives(contents(snmp6_.get()));
  read_dev(contents(dev_.get()), c);
  return c;
}

// A segment IP has taken in is answered in the same softirq, a few
// microseconds later, or waits in its socket's backlog, or arms a timer:
// a look that reads the counters on both sides of the socket dump (a few
// hundred microseconds) sees the answer go, the backlog, or the timer.
Activity ActivityProbe::read() const {
  Activity a;
  static_cast<Counters&>(a) = counters();
  a.sockets = sockets();
  a.steady = counters() == static_cast<const Counters&>(a);
  for (const auto& s : a.sockets) {
    // Nothing more comes from these (a closed socket's unacknowledged SYN is no work).
    if (s.state == name(TcpState::listen) || s.state == name(TcpState::close) || s.state == name(TcpState::time_wait)) continue;
    if (s.timer == 1 || s.timer == 4 || s.send_q > 0 || s.backlog > 0) ++a.busy_sockets;
  }
  return a;
}

}  // namespace closepath
