// The leftover-socket audit: every TCP socket in an endpoint namespace,
// with state and queues, read through sock_diag (what `ss -tan` shows).
#pragma once

#include "netns.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace closepath {

struct SocketEntry {
  std::string state;  // Linux name: ESTABLISHED, CLOSE_WAIT, TIME_WAIT, LISTEN, ...
  std::string local, remote;  // "addr:port"
  std::uint16_t local_port = 0, remote_port = 0;
  std::uint32_t recv_q = 0, send_q = 0;
  bool orphan = false;  // no process holds it (inode 0): closed by the app, kept by the kernel
};

// Throws HostError when the namespace cannot be queried.
std::vector<SocketEntry> audit_sockets(const NetNamespace& ns);

}  // namespace closepath
