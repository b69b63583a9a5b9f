// One namespace's links, addresses, neighbours and routes, set in-process
// over rtnetlink (libnl-route), and its offloads over the ethtool ioctl:
// what `ip` and `ethtool -K` would do, without forking either (a fork and
// exec per command was most of what a run cost before its first step).
// The sockets are opened by a thread that joined the namespace, so they act
// on it for good, from whichever thread calls. Every call throws HostError
// naming what it tried and what the kernel answered.
#pragma once

#include "netns.hpp"
#include "unique_fd.hpp"

#include <chrono>
#include <memory>
#include <string>

struct nl_sock;

namespace closepath {

class NetlinkRoute {
 public:
  explicit NetlinkRoute(const NetNamespace& ns);

  // A veth pair: `name` here with hardware address `mac`, `peer` in `peer_ns`.
  void add_veth(const std::string& name, const std::string& mac, const std::string& peer,
                const NetNamespace& peer_ns);
  // Up; with `noarp`, IFF_NOARP too: no ARP, and on IPv6 no solicited-node
  // group joined, so no MLD report (neighbours are static: set_neighbour).
  void set_up(const std::string& dev, bool noarp = false);
  // `cidr` as "10.0.0.1/24" or "fd00::1/64"; an IPv6 address skips
  // duplicate address detection (nodad): no DAD probe on the wire.
  void add_address(const std::string& dev, const std::string& cidr);
  // A permanent neighbour entry: no ARP on the wire.
  void set_neighbour(const std::string& dev, const std::string& address, const std::string& mac);
  // `ip route replace PREFIX dev DEV src SRC rto_min MS`: a per-route
  // minimum retransmission timeout, on the kernel's own prefix route (IPv4
  // metric 0, IPv6 metric 256), which it replaces.
  void replace_route(const std::string& prefix, const std::string& dev, const std::string& src,
                     std::chrono::milliseconds rto_min);
  // Checksum offload, TSO, GSO and GRO off (offloads.hpp).
  void offloads_off(const std::string& dev);

 private:
  int ifindex(const std::string& dev) const;

  struct SockFree {
    void operator()(nl_sock* s) const;
  };
  std::unique_ptr<nl_sock, SockFree> sock_;
  UniqueFd control_;  // for ioctls: SIOCGIFINDEX, SIOCETHTOOL (offloads.hpp)
};

}  // namespace closepath
