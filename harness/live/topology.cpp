#include "topology.hpp"

#include "netlink_route.hpp"

namespace closepath {
namespace {

// No IPv6 in the namespace: no router solicitations or MLD reports in the capture.
void no_ipv6(const NetNamespace& ns) {
  write_sysctl(ns, "net.ipv6.conf.all.disable_ipv6", "1");
  write_sysctl(ns, "net.ipv6.conf.default.disable_ipv6", "1");
}

void build_endpoint(const NetNamespace& ns, const NetNamespace& wire, const Host& self, const Host& peer,
                    const std::string& leg) {
  no_ipv6(ns);
  NetlinkRoute net(ns);
  net.set_up("lo");
  net.add_veth("eth0", self.mac, leg, wire);
  net.offloads_off("eth0");
  net.add_address("eth0", self.address + "/24");
  net.set_up("eth0");
  net.set_neighbour("eth0", peer.address, peer.mac);
}

}  // namespace

Topology::Topology() : client_(NetNamespace::create()), wire_(NetNamespace::create()), server_(NetNamespace::create()) {
  no_ipv6(wire_);
  build_endpoint(client_, wire_, kClientHost, kServerHost, kClientLeg);
  build_endpoint(server_, wire_, kServerHost, kClientHost, kServerLeg);
  NetlinkRoute wire(wire_);
  for (const char* leg : {kClientLeg, kServerLeg}) {
    wire.offloads_off(leg);
    wire.set_up(leg);
  }
}

void Topology::configure(const std::map<Side, std::map<std::string, Located<std::string>>>& sysctl,
                         const std::map<Side, std::chrono::milliseconds>& rto_min) {
  for (const auto& [side, settings] : sysctl)
    for (const auto& [key, value] : settings) write_sysctl(of(side), key, value.value);
  for (const auto& [side, rto] : rto_min) {
    const Host& self = side == Side::client ? kClientHost : kServerHost;
    NetlinkRoute(of(side)).replace_route("10.0.0.0/24", "eth0", self.address, rto);
  }
}

}  // namespace closepath
