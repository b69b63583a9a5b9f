// The leftover-socket audit: every TCP socket in an endpoint namespace,
// with state and queues, read through sock_diag (what `ss -tan` shows).
#pragma once

#include "netns.hpp"
#include "socket_entry.hpp"

#include <cstddef>
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

// Destroys every TCP socket left in `ns` (sock_diag SOCK_DESTROY, what
// `ss -K` does): at teardown, so no orphan of a run outlives it, to change
// state (and fire trace events under the run's client port) long after.
// Returns how many went; none on a kernel without CONFIG_INET_DIAG_DESTROY.
std::size_t destroy_sockets(const NetNamespace& ns);

// Destroys the connection from `local_port` to `remote_port` in `ns` (the
// `destroy` step): HostError when there is none, or the kernel refuses.
void destroy_connection(const NetNamespace& ns, int local_port, int remote_port);

}  // namespace closepath
