#include "topology.hpp"

#include "netlink_route.hpp"

namespace closepath {
namespace {

// The wire's namespace speaks no IP at all: no IPv6 link-local addresses,
// router solicitations or MLD reports from its legs.
void no_ipv6(const NetNamespace& ns) {
  write_sysctl(ns, "net.ipv6.conf.all.disable_ipv6", "1");
  write_sysctl(ns, "net.ipv6.conf.default.disable_ipv6", "1");
}

// An endpoint speaks both families, and on the wire nothing but what its
// sockets send: devices made after these sysctls get no link-local address
// (addr_gen_mode 1), so no router solicitation either, and no duplicate
// address detection; eth0 is NOARP, so its address joins no solicited-node
// group and no MLD report goes out; neighbours are static (no ARP, no NDP).
void quiet_ipv6(const NetNamespace& ns) {
  for (const char* conf : {"all", "default"}) {
    const std::string at = std::string("net.ipv6.conf.") + conf + ".";
    write_sysctl(ns, at + "disable_ipv6", "0");
    write_sysctl(ns, at + "accept_dad", "0");
    write_sysctl(ns, at + "router_solicitations", "0");
  }
  write_sysctl(ns, "net.ipv6.conf.default.addr_gen_mode", "1");
}

void build_endpoint(const NetNamespace& ns, const NetNamespace& wire, const Host& self, const Host& peer,
                    const std::string& leg) {
  quiet_ipv6(ns);
  NetlinkRoute net(ns);
  net.set_up("lo");
  net.add_veth("eth0", self.mac, leg, wire);
  net.offloads_off("eth0");
  net.set_up("eth0", true);
  for (Family f : {Family::ipv4, Family::ipv6}) {
    net.add_address("eth0", self.address_in(f) + "/" + std::to_string(prefix_length(f)));
    net.set_neighbour("eth0", peer.address_in(f), peer.mac);
  }
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
    NetlinkRoute net(of(side));
    for (Family f : {Family::ipv4, Family::ipv6}) net.replace_route(subnet(f), "eth0", self.address_in(f), rto);
  }
}

}  // namespace closepath
