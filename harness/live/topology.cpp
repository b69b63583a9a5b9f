#include "topology.hpp"

#include "errors.hpp"
#include "netlink_route.hpp"

#include <optional>

namespace closepath {
namespace {

// The buckets of an endpoint's own TCP hash table (a power of two).
constexpr const char* kEhashEntries = "16384";

// Where the namespaces are made from: a namespace of the process's own in
// which net.ipv4.tcp_child_ehash_entries (Linux 6.1 and later) gives each
// a TCP hash table of its own instead of the host's shared one, which is
// sized by the host's memory (262144 buckets here) and which every
// sock_diag dump from a namespace walks whole. A look at rest and the
// leftover audit cost a quarter of what they did. What the shared table
// sized in a new namespace, `defaults`, the endpoints get back, so their
// TCP is configured as in a namespace made the usual way. Without the
// sysctl (older kernels), namespaces are made from the caller's as before.
struct Origin {
  std::optional<NetNamespace> ns;
  Sysctls defaults;
};

Origin make_origin() {
  Origin o;
  try {
    auto ns = NetNamespace::create();
    for (const char* key : {"net.ipv4.tcp_max_tw_buckets", "net.ipv4.tcp_max_syn_backlog"})
      o.defaults.emplace_back(key, read_sysctl(ns, key));
    write_sysctl(ns, "net.ipv4.tcp_child_ehash_entries", kEhashEntries);
    o.ns.emplace(std::move(ns));
  } catch (const HostError&) {
    o.defaults.clear();  // no such sysctl here: the shared table, as a namespace made the usual way has
  }
  return o;
}

const Origin& origin() {
  static const Origin made = make_origin();  // once per process, on first use (thread-safe)
  return made;
}

NetNamespace made_namespace() { return NetNamespace::create(origin().ns ? &*origin().ns : nullptr); }

// The wire's namespace speaks no IP at all: no IPv6 link-local addresses,
// router solicitations or MLD reports from its legs.
void no_ipv6(const NetNamespace& ns) {
  write_sysctls(ns, {{"net.ipv6.conf.all.disable_ipv6", "1"}, {"net.ipv6.conf.default.disable_ipv6", "1"}});
}

// An endpoint speaks both families, and on the wire nothing but what its
// sockets send: devices made after these sysctls get no link-local address
// (addr_gen_mode 1), so no router solicitation either, and no duplicate
// address detection; eth0 is NOARP, so its address joins no solicited-node
// group and no MLD report goes out; neighbours are static (no ARP, no NDP).
Sysctls quiet_ipv6() {
  Sysctls quiet;
  for (const char* conf : {"all", "default"}) {
    const std::string at = std::string("net.ipv6.conf.") + conf + ".";
    for (const char* key : {"disable_ipv6", "accept_dad", "router_solicitations"}) quiet.emplace_back(at + key, "0");
  }
  quiet.emplace_back("net.ipv6.conf.default.addr_gen_mode", "1");
  return quiet;
}

void build_endpoint(const NetNamespace& ns, const NetNamespace& wire, const Host& self, const Host& peer,
                    const std::string& leg) {
  auto settings = quiet_ipv6();
  settings.insert(settings.end(), origin().defaults.begin(), origin().defaults.end());
  write_sysctls(ns, settings);
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

Topology::Topology() : client_(made_namespace()), wire_(made_namespace()), server_(made_namespace()) {
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
  for (const auto& [side, settings] : sysctl) {
    Sysctls values;
    for (const auto& [key, value] : settings) values.emplace_back(key, value.value);
    write_sysctls(of(side), values);
  }
  for (const auto& [side, rto] : rto_min) {
    const Host& self = side == Side::client ? kClientHost : kServerHost;
    NetlinkRoute net(of(side));
    for (Family f : {Family::ipv4, Family::ipv6}) net.replace_route(subnet(f), "eth0", self.address_in(f), rto);
  }
}

}  // namespace closepath
