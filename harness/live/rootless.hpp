// Rootless mode: an ordinary user's closepath moves itself into a new user
// namespace (mapping the user to root inside it), with a network and a mount
// namespace of its own, before it does anything else. Inside, it may create
// the run's namespaces, veth pairs and packet sockets; the host's tracefs
// stays out of reach, so states come from inference (the report says so).
#pragma once

#include <string>

namespace closepath {

// Does nothing as root. Otherwise enters the namespaces; must be called
// while the process has one thread. Throws HostError (exit 3) when the
// kernel refuses unprivileged user namespaces.
void enter_rootless_if_needed();

// Whether this process runs inside the user namespace rootless mode made.
bool rootless();

}  // namespace closepath
