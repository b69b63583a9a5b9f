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

// The same through a sock_diag socket already made inside the namespace
// (diag_socket_in), for a run that asks many times.
std::vector<SocketEntry> audit_sockets(int diag_socket);
UniqueFd diag_socket_in(const NetNamespace& ns);

}  // namespace closepath
