// Offloads off on one interface, as `ethtool -K DEV tx off tso off gso off
// gro off` does, over the ethtool ioctl (in-process: no fork). Every frame
// the wire sees is then one real segment with a real checksum.
#pragma once

#include <string>
#include <vector>

namespace closepath {

// `socket`: any socket of the interface's namespace. Throws HostError,
// also when the kernel leaves one of them on.
void offloads_off(int socket, const std::string& dev);

// The offload features still active on `dev`, by name (none, after offloads_off).
std::vector<std::string> active_offloads(int socket, const std::string& dev);

}  // namespace closepath
