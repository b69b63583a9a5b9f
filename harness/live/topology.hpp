// The per-run network: three namespaces joined by two veth pairs.
//
//   [client ns]                 [wire ns]               [server ns]
//   eth0 10.0.0.1/24 <-veth->   wc (user-space wire)    ws <-veth-> eth0 10.0.0.2/24
//        fd00::1/64                                                 fd00::2/64
//
// Both endpoints speak IPv4 and IPv6 (a run picks one: hosts.hpp); the wire
// namespace has no addresses and no IPv6: frames cross it only through the
// wire engine. Offloads are off on every interface so each frame is one
// real segment with a real checksum. Neighbours are static and eth0 is
// NOARP, with no link-local address, DAD or router solicitation: no ARP,
// NDP or MLD frame mixes into the capture. Sysctls apply to one namespace
// only. Everything dies with the namespaces when this object is destroyed.
#pragma once

#include "netns.hpp"
#include "hosts.hpp"
#include "scenario.hpp"

#include <string>

namespace closepath {


class Topology {
 public:
  // Builds the namespaces and links, the same for every run; throws HostError.
  Topology();
  // What one scenario sets: its sysctls, and rto_min, a per-route minimum
  // retransmission timeout for a side (on its routes of both families).
  // Once, on a topology no run has used.
  void configure(const std::map<Side, std::map<std::string, Located<std::string>>>& sysctl,
                 const std::map<Side, std::chrono::milliseconds>& rto_min = {});

  const NetNamespace& client() const { return client_; }
  const NetNamespace& wire() const { return wire_; }
  const NetNamespace& server() const { return server_; }
  const NetNamespace& of(Side s) const { return s == Side::client ? client_ : server_; }

 private:
  NetNamespace client_, wire_, server_;
};

}  // namespace closepath
