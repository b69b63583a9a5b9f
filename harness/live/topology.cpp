#include "topology.hpp"

namespace closepath {
namespace {

const std::vector<std::string> kOffloadsOff{"tx", "off", "tso", "off", "gso", "off", "gro", "off"};

void ethtool_off(const NetNamespace& ns, const std::string& dev) {
  std::vector<std::string> argv{"ethtool", "-K", dev};
  argv.insert(argv.end(), kOffloadsOff.begin(), kOffloadsOff.end());
  run_in(ns, argv);
}

// No IPv6 in the namespace: no router solicitations or MLD reports in the capture.
void no_ipv6(const NetNamespace& ns) {
  write_sysctl(ns, "net.ipv6.conf.all.disable_ipv6", "1");
  write_sysctl(ns, "net.ipv6.conf.default.disable_ipv6", "1");
}

void build_endpoint(const NetNamespace& ns, const NetNamespace& wire, const Host& self, const Host& peer,
                    const std::string& leg) {
  no_ipv6(ns);
  run_in(ns, {"ip", "link", "set", "lo", "up"});
  run_in(ns, {"ip", "link", "add", "eth0", "address", self.mac, "type", "veth", "peer", "name", leg, "netns",
              wire.path()},
         {&wire});
  ethtool_off(ns, "eth0");
  run_in(ns, {"ip", "addr", "add", self.address + "/24", "dev", "eth0"});
  run_in(ns, {"ip", "link", "set", "eth0", "up"});
  run_in(ns, {"ip", "neigh", "replace", peer.address, "lladdr", peer.mac, "dev", "eth0", "nud", "permanent"});
}

}  // namespace

Topology::Topology() : client_(NetNamespace::create()), wire_(NetNamespace::create()), server_(NetNamespace::create()) {
  no_ipv6(wire_);
  build_endpoint(client_, wire_, kClientHost, kServerHost, kClientLeg);
  build_endpoint(server_, wire_, kServerHost, kClientHost, kServerLeg);
  for (const char* leg : {kClientLeg, kServerLeg}) {
    ethtool_off(wire_, leg);
    run_in(wire_, {"ip", "link", "set", leg, "up"});
  }
}

void Topology::configure(const std::map<Side, std::map<std::string, Located<std::string>>>& sysctl,
                         const std::map<Side, std::chrono::milliseconds>& rto_min) {
  for (const auto& [side, settings] : sysctl)
    for (const auto& [key, value] : settings) write_sysctl(of(side), key, value.value);
  for (const auto& [side, rto] : rto_min) {
    const Host& self = side == Side::client ? kClientHost : kServerHost;
    run_in(of(side), {"ip", "route", "replace", "10.0.0.0/24", "dev", "eth0", "src", self.address, "rto_min",
                      std::to_string(rto.count()) + "ms"});
  }
}

}  // namespace closepath
