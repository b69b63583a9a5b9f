// The per-run topology, built in-process over rtnetlink and the ethtool
// ioctl, read back from the kernel: addresses and static neighbours of both
// families, no link-local address, NOARP, offloads off, rto_min routes.
// Needs CAP_NET_ADMIN (skipped without it).
#include "errors.hpp"
#include "hosts.hpp"
#include "offloads.hpp"
#include "topology.hpp"

#include <boost/test/unit_test.hpp>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <netlink/netlink.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

using namespace closepath;
using namespace std::chrono_literals;

namespace {

struct CanMakeNamespaces {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    try {
      NetNamespace::create();
      return true;
    } catch (const HostError& e) {
      boost::test_tools::assertion_result no(false);
      no.message() << "no network namespaces here: " << e.what();
      return no;
    }
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Interface {
  bool up = false, noarp = false;
  std::string mac, address;
};

// Read on a thread inside the interface's namespace, like `ip link`/`ip addr` would.
Interface read_interface(const std::string& dev) {
  const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  BOOST_REQUIRE(s >= 0);
  Interface i;
  ifreq req{};
  dev.copy(req.ifr_name, IFNAMSIZ - 1);
  BOOST_REQUIRE(ioctl(s, SIOCGIFFLAGS, &req) == 0);
  i.up = req.ifr_flags & IFF_UP;
  i.noarp = req.ifr_flags & IFF_NOARP;
  BOOST_REQUIRE(ioctl(s, SIOCGIFHWADDR, &req) == 0);
  char mac[18];
  const auto* b = reinterpret_cast<const unsigned char*>(req.ifr_hwaddr.sa_data);
  std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
  i.mac = mac;
  if (ioctl(s, SIOCGIFADDR, &req) == 0) {
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&req.ifr_addr)->sin_addr, text, sizeof text);
    i.address = text;
  }
  close(s);
  return i;
}

std::vector<std::string> offloads_on(const std::string& dev) {
  const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  auto on = active_offloads(s, dev);
  close(s);
  return on;
}

// The main table's route to the endpoints' subnet in `family` (there must
// be one): its RTAX_RTO_MIN metric (0 if none).
unsigned rto_min_of_subnet(Family family) {
  nl_sock* sock = nl_socket_alloc();
  BOOST_REQUIRE(nl_connect(sock, NETLINK_ROUTE) == 0);
  nl_cache* cache = nullptr;
  BOOST_REQUIRE(rtnl_route_alloc_cache(sock, family == Family::ipv4 ? AF_INET : AF_INET6, 0, &cache) == 0);
  unsigned rto_min = 0;
  int routes = 0;
  for (auto* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
    auto* route = reinterpret_cast<rtnl_route*>(o);
    char dst[64];
    nl_addr2str(rtnl_route_get_dst(route), dst, sizeof dst);
    uint32_t value = 0;
    if (rtnl_route_get_table(route) != RT_TABLE_MAIN || std::string(dst) != subnet(family)) continue;
    ++routes;
    if (rtnl_route_get_metric(route, RTAX_RTO_MIN, &value) == 0) rto_min = value;
    uint32_t locked = 0;  // TCP ignores an rto_min that is not locked
    if (rto_min) BOOST_TEST((rtnl_route_get_metric(route, RTAX_LOCK, &locked) == 0 && (locked & (1U << RTAX_RTO_MIN))));
  }
  BOOST_TEST(routes == 1);
  nl_cache_free(cache);
  nl_socket_free(sock);
  return rto_min;
}

// The neighbour entry for `address` ("lladdr state"), "" when there is none.
std::string neighbour(const std::string& address) {
  nl_sock* sock = nl_socket_alloc();
  BOOST_REQUIRE(nl_connect(sock, NETLINK_ROUTE) == 0);
  nl_cache* cache = nullptr;
  BOOST_REQUIRE(rtnl_neigh_alloc_cache(sock, &cache) == 0);
  std::string found;
  for (auto* o = nl_cache_get_first(cache); o; o = nl_cache_get_next(o)) {
    auto* n = reinterpret_cast<rtnl_neigh*>(o);
    char dst[64], lladdr[32], state[32];
    nl_addr2str(rtnl_neigh_get_dst(n), dst, sizeof dst);
    if (dst != address) continue;
    nl_addr2str(rtnl_neigh_get_lladdr(n), lladdr, sizeof lladdr);
    rtnl_neigh_state2str(rtnl_neigh_get_state(n), state, sizeof state);
    found = std::string(lladdr) + " " + state;
  }
  nl_cache_free(cache);
  nl_socket_free(sock);
  return found;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(topology, *boost::unit_test::precondition(CanMakeNamespaces()))

BOOST_AUTO_TEST_CASE(endpoints_have_their_address_mac_neighbour_and_no_offloads) {
  Topology t;
  for (Side side : {Side::client, Side::server}) {
    const Host& self = side == Side::client ? kClientHost : kServerHost;
    const Host& peer = side == Side::client ? kServerHost : kClientHost;
    on_thread_in(t.of(side), [&] {
      const auto eth0 = read_interface("eth0");
      BOOST_TEST(eth0.up);
      BOOST_TEST(eth0.mac == self.mac);
      BOOST_TEST(eth0.address == self.address);
      BOOST_TEST(read_interface("lo").up);
      BOOST_TEST(offloads_on("eth0").empty());
      BOOST_TEST(eth0.noarp);  // and so no ARP, and no MLD for a solicited-node group
      for (Family f : {Family::ipv4, Family::ipv6}) {
        BOOST_TEST(neighbour(peer.address_in(f)) == peer.mac + " permanent");
        BOOST_TEST(rto_min_of_subnet(f) == 0u);
      }
      // /proc/thread-self: /proc/net would show the process's namespace, not this thread's.
      const auto v6 = slurp("/proc/thread-self/net/if_inet6");
      BOOST_TEST(v6.find(self.address6 == "fd00::1" ? "fd000000000000000000000000000001" : "fd000000000000000000000000000002") !=
                 std::string::npos);
      BOOST_TEST(v6.find("fe80") == std::string::npos);  // no link-local address: no DAD, no router solicitation
      BOOST_TEST(slurp("/proc/sys/net/ipv6/conf/eth0/accept_dad") == "0\n");
    });
  }
  on_thread_in(t.wire(), [&] {
    for (const char* leg : {kClientLeg, kServerLeg}) {
      BOOST_TEST(read_interface(leg).up);
      BOOST_TEST(offloads_on(leg).empty());
      BOOST_TEST(read_interface(leg).address.empty());
    }
    BOOST_TEST(slurp("/proc/sys/net/ipv6/conf/all/disable_ipv6") == "1\n");
    BOOST_TEST(slurp("/proc/thread-self/net/if_inet6").empty());
  });
}

BOOST_AUTO_TEST_CASE(configure_sets_sysctls_and_rto_min_in_one_namespace_only) {
  Topology t;
  t.configure({{Side::server, {{"net.ipv4.tcp_fin_timeout", Located<std::string>{0, "7"}}}}},
              {{Side::client, 300ms}});
  on_thread_in(t.client(), [] {
    BOOST_TEST(rto_min_of_subnet(Family::ipv4) == 300u);
    BOOST_TEST(rto_min_of_subnet(Family::ipv6) == 300u);
    BOOST_TEST(slurp("/proc/sys/net/ipv4/tcp_fin_timeout") == "60\n");
  });
  on_thread_in(t.server(), [] {
    BOOST_TEST(rto_min_of_subnet(Family::ipv4) == 0u);
    BOOST_TEST(rto_min_of_subnet(Family::ipv6) == 0u);
    BOOST_TEST(slurp("/proc/sys/net/ipv4/tcp_fin_timeout") == "7\n");
  });
}

// Each endpoint's TCP has a hash table of its own (so a sock_diag dump walks
// it, not the host's), where the kernel has net.ipv4.tcp_child_ehash_entries;
// what the table's size would otherwise set is as in a namespace made the
// usual way.
BOOST_AUTO_TEST_CASE(endpoints_have_their_own_tcp_hash_table_and_the_usual_limits) {
  const auto usual = NetNamespace::create();
  const auto tw = read_sysctl(usual, "net.ipv4.tcp_max_tw_buckets");
  const auto backlog = read_sysctl(usual, "net.ipv4.tcp_max_syn_backlog");
  const bool per_namespace = slurp("/proc/sys/net/ipv4/tcp_child_ehash_entries") != "";
  Topology t;
  for (Side side : {Side::client, Side::server}) {
    BOOST_TEST(read_sysctl(t.of(side), "net.ipv4.tcp_max_tw_buckets") == tw);
    BOOST_TEST(read_sysctl(t.of(side), "net.ipv4.tcp_max_syn_backlog") == backlog);
    // tcp_ehash_entries: the size of the namespace's table, negative when it is the host's shared one.
    if (per_namespace) BOOST_TEST(read_sysctl(t.of(side), "net.ipv4.tcp_ehash_entries") == "16384");
  }
  if (per_namespace)
    BOOST_TEST(read_sysctl(usual, "net.ipv4.tcp_ehash_entries").starts_with("-"), "a namespace made the usual way shares the host's table");
}

BOOST_AUTO_TEST_SUITE_END()
