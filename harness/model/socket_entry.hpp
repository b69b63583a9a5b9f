// One TCP socket as the leftover audit found it (what `ss -tan` shows): a
// record, read by live/socket_audit and judged by verdict/.
#pragma once

#include <cstdint>
#include <string>

namespace closepath {

struct SocketEntry {
  std::string state;  // Linux name: ESTABLISHED, CLOSE_WAIT, TIME_WAIT, LISTEN, ...
  std::string local, remote;  // "addr:port"
  std::uint16_t local_port = 0, remote_port = 0;
  std::uint32_t recv_q = 0, send_q = 0;
  bool orphan = false;  // no process holds it (inode 0): closed by the app, kept by the kernel
  // sock_diag's idiag_timer: 0 none, 1 retransmission (or loss probe), 2
  // keepalive (FIN_WAIT2's timeout too), 3 TIME_WAIT, 4 zero-window probe.
  std::uint8_t timer = 0;
  // Bytes of segments that came while the socket's process held its lock,
  // which TCP handles when that process lets go (sock_diag's SK_MEMINFO_BACKLOG).
  std::uint32_t backlog = 0;
  static constexpr std::uint8_t kTimerUnknown = 0xff;  // a record that does not say (older run facts)
  // Which family of connection it serves: an IPv6 socket without
  // IPV6_V6ONLY (a dual-stack listener on [::]) takes IPv4 as well, on
  // IPv4-mapped sockets, which the audit shows as the IPv4 connections they are.
  bool ipv4 = true, ipv6 = false;
};

}  // namespace closepath
