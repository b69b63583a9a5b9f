// Whether an endpoint namespace has finished what it was given, read without
// forking: its interfaces' frame counters (/proc/net/dev), what its IP stacks
// took in (/proc/net/snmp's Ip InReceives, /proc/net/snmp6's Ip6InReceives),
// and its TCP sockets' timers and
// unacknowledged bytes (sock_diag). The files and the socket are opened once,
// inside the namespace, and read again on each look.
#pragma once

#include "netns.hpp"
#include "socket_entry.hpp"
#include "unique_fd.hpp"

#include <cstdint>
#include <vector>

namespace closepath {

// The counters a look reads twice, before and after the socket dump.
struct Counters {
  std::uint64_t eth_rx = 0, eth_tx = 0;  // frames eth0 received and sent
  std::uint64_t lo_rx = 0;               // frames the loopback carried
  std::uint64_t ip_in = 0;               // datagrams IPv4 and IPv6 took in (every frame eth0 and lo received, once processed)
  bool operator==(const Counters&) const = default;
};

struct Activity : Counters {
  // Sockets with work the kernel will do unasked: a retransmission or
  // zero-window probe timer, bytes (a FIN too) not yet acknowledged, or
  // segments waiting in the backlog of a socket its process holds.
  // SYN_RECV requests count (their SYN-ACK is retransmitted); keepalive and
  // FIN_WAIT2 timers do not, nor LISTEN, CLOSE or TIME_WAIT sockets.
  std::size_t busy_sockets = 0;
  // The counters did not move while the sockets were read: no segment was
  // taken in, and no answer sent, during the look.
  bool steady = false;
  std::vector<SocketEntry> sockets;  // every TCP socket, as the look found them
};

class ActivityProbe {
 public:
  // Throws HostError when the namespace cannot be read.
  explicit ActivityProbe(const NetNamespace& ns);
  // One look: the counters, every socket, the counters again.
  Activity read() const;
  // Every TCP socket in the namespace (the leftover audit), through the
  // probe's own sock_diag socket: no thread joins the namespace for it, so
  // an audit just after a close does not delay the step that follows.
  std::vector<SocketEntry> sockets() const;

 private:
  Counters counters() const;
  UniqueFd dev_, snmp_, snmp6_, diag_;
};

// Nothing under way inside the namespace: every frame received taken in by
// IP, no busy socket, nothing moved during the look. (What is in flight
// between namespaces is the wire's to say: Wire::traffic.)
inline bool idle(const Activity& a) { return a.steady && a.ip_in == a.eth_rx + a.lo_rx && a.busy_sockets == 0; }

}  // namespace closepath
