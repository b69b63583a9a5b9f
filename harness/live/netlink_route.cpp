#include "netlink_route.hpp"

#include "errors.hpp"
#include "offloads.hpp"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <netlink/addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace closepath {
namespace {

// libnl's objects are reference counted; each of these drops one reference.
struct Put {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
  void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
  void operator()(rtnl_neigh* n) const { rtnl_neigh_put(n); }
  void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
template <class T>
using Ref = std::unique_ptr<T, Put>;

[[noreturn]] void fail(const std::string& what, const std::string& why) {
  throw HostError("rtnetlink: " + what + " in a test namespace: " + why);
}

void check(int err, const std::string& what) {
  if (err < 0) fail(what, nl_geterror(err));
}

template <class T>
Ref<T> made(T* object, const std::string& what) {
  if (!object) fail(what, "out of memory");
  return Ref<T>(object);
}

Ref<nl_addr> parse(const std::string& text, int family, const std::string& what) {
  nl_addr* a = nullptr;
  check(nl_addr_parse(text.c_str(), family, &a), what + " (address " + text + ")");
  return Ref<nl_addr>(a);
}

}  // namespace

void NetlinkRoute::SockFree::operator()(nl_sock* s) const { nl_socket_free(s); }

NetlinkRoute::NetlinkRoute(const NetNamespace& ns) {
  on_thread_in(ns, [this] {
    sock_.reset(nl_socket_alloc());
    if (!sock_) fail("open a socket", "out of memory");
    check(nl_connect(sock_.get(), NETLINK_ROUTE), "open a socket");
    control_.reset(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!control_) fail("open a control socket", std::strerror(errno));
  });
}

int NetlinkRoute::ifindex(const std::string& dev) const {
  ifreq req{};
  dev.copy(req.ifr_name, IFNAMSIZ - 1);
  if (ioctl(control_.get(), SIOCGIFINDEX, &req) != 0) fail("find " + dev, std::strerror(errno));
  return req.ifr_ifindex;
}

void NetlinkRoute::add_veth(const std::string& name, const std::string& mac, const std::string& peer,
                            const NetNamespace& peer_ns) {
  const std::string what = "add veth " + name + " (peer " + peer + ")";
  auto link = made(rtnl_link_veth_alloc(), what);
  rtnl_link_set_name(link.get(), name.c_str());
  rtnl_link_set_addr(link.get(), parse(mac, AF_LLC, what).get());
  Ref<rtnl_link> other(rtnl_link_veth_get_peer(link.get()));
  rtnl_link_set_name(other.get(), peer.c_str());
  rtnl_link_set_ns_fd(other.get(), peer_ns.fd());
  check(rtnl_link_add(sock_.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL), what);
}

void NetlinkRoute::set_up(const std::string& dev, bool noarp) {
  const std::string what = "set " + dev + " up" + (noarp ? " noarp" : "");
  auto link = made(rtnl_link_alloc(), what);
  rtnl_link_set_ifindex(link.get(), ifindex(dev));
  rtnl_link_set_flags(link.get(), noarp ? unsigned{IFF_UP} | unsigned{IFF_NOARP} : unsigned{IFF_UP});
  check(rtnl_link_change(sock_.get(), link.get(), link.get(), 0), what);
}

void NetlinkRoute::add_address(const std::string& dev, const std::string& cidr) {
  const std::string what = "add address " + cidr + " to " + dev;
  auto addr = made(rtnl_addr_alloc(), what);
  rtnl_addr_set_ifindex(addr.get(), ifindex(dev));
  const auto local = parse(cidr, AF_UNSPEC, what);
  check(rtnl_addr_set_local(addr.get(), local.get()), what);
  if (nl_addr_get_family(local.get()) == AF_INET6) rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);
  check(rtnl_addr_add(sock_.get(), addr.get(), 0), what);
}

void NetlinkRoute::set_neighbour(const std::string& dev, const std::string& address, const std::string& mac) {
  const std::string what = "set neighbour " + address + " lladdr " + mac + " on " + dev;
  auto neigh = made(rtnl_neigh_alloc(), what);
  auto dst = parse(address, AF_UNSPEC, what);
  rtnl_neigh_set_ifindex(neigh.get(), ifindex(dev));
  rtnl_neigh_set_family(neigh.get(), nl_addr_get_family(dst.get()));
  check(rtnl_neigh_set_dst(neigh.get(), dst.get()), what);
  rtnl_neigh_set_lladdr(neigh.get(), parse(mac, AF_LLC, what).get());
  rtnl_neigh_set_state(neigh.get(), NUD_PERMANENT);
  check(rtnl_neigh_add(sock_.get(), neigh.get(), NLM_F_CREATE | NLM_F_REPLACE), what);
}

void NetlinkRoute::replace_route(const std::string& prefix, const std::string& dev, const std::string& src,
                                 std::chrono::milliseconds rto_min) {
  const std::string what = "replace route " + prefix + " dev " + dev + " rto_min " + std::to_string(rto_min.count()) + "ms";
  auto route = made(rtnl_route_alloc(), what);
  auto dst = parse(prefix, AF_UNSPEC, what);
  rtnl_route_set_family(route.get(), static_cast<uint8_t>(nl_addr_get_family(dst.get())));
  check(rtnl_route_set_dst(route.get(), dst.get()), what);
  check(rtnl_route_set_pref_src(route.get(), parse(src, AF_UNSPEC, what).get()), what);
  rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
  rtnl_route_set_scope(route.get(), RT_SCOPE_LINK);
  rtnl_route_set_protocol(route.get(), RTPROT_BOOT);
  rtnl_route_set_type(route.get(), RTN_UNICAST);
  // The kernel's prefix route has metric 256 in IPv6 (0 in IPv4); replacing
  // matches on it, and another metric would add a second route instead.
  if (nl_addr_get_family(dst.get()) == AF_INET6) rtnl_route_set_priority(route.get(), 256);
  rtnl_nexthop* hop = rtnl_route_nh_alloc();
  if (!hop) fail(what, "out of memory");
  rtnl_route_nh_set_ifindex(hop, ifindex(dev));
  rtnl_route_add_nexthop(route.get(), hop);  // the route owns it now
  check(rtnl_route_set_metric(route.get(), RTAX_RTO_MIN, static_cast<unsigned>(rto_min.count())), what);
  // TCP heeds a route's rto_min only when it is locked (tcp_rto_min()); `ip` locks it too.
  check(rtnl_route_set_metric(route.get(), RTAX_LOCK, 1U << RTAX_RTO_MIN), what);
  check(rtnl_route_add(sock_.get(), route.get(), NLM_F_REPLACE), what);
}

void NetlinkRoute::offloads_off(const std::string& dev) { closepath::offloads_off(control_.get(), dev); }

}  // namespace closepath
