// The leftover-socket audit: every TCP socket in an endpoint namespace,
// with state and queues, read through sock_diag (what `ss -tan` shows).
#pragma once

#include "netns.hpp"
#include "socket_entry.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace closepath {


// Throws HostError when the namespace cannot be queried.
std::vector<SocketEntry> audit_sockets(const NetNamespace& ns);

}  // namespace closepath
