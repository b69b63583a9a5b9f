#include "socket_audit.hpp"

#include "errors.hpp"
#include "tcp_states.hpp"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cerrno>
#include <cstring>

namespace closepath {
namespace {

// "10.0.0.1:47000", "[fd00::1]:47000"; an IPv4-mapped IPv6 address (a
// dual-stack socket's IPv4 connection) as the IPv4 address it is.
std::string endpoint_text(std::uint8_t family, const __be32* addr, __be16 port) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  const auto* v6 = reinterpret_cast<const in6_addr*>(addr);
  const bool mapped = family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(v6);
  if (mapped) inet_ntop(AF_INET, &v6->s6_addr[12], text.data(), text.size());
  else inet_ntop(family, addr, text.data(), text.size());
  const std::string host = family == AF_INET6 && !mapped ? "[" + std::string(text.data()) + "]" : std::string(text.data());
  return host + ":" + std::to_string(ntohs(port));
}

// The kernel's description of one socket: the message, and whether an IPv6
// socket is IPV6_V6ONLY (INET_DIAG_SKV6ONLY, sent for every IPv6 socket).
struct Described {
  inet_diag_msg msg;
  bool v6only = false;
  std::uint32_t backlog = 0;  // INET_DIAG_SKMEMINFO's SK_MEMINFO_BACKLOG (full sockets only)
};

// Reads a described socket's attributes.
void read_attributes(const nlmsghdr* h, Described& d) {
  auto room = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof(inet_diag_msg)));
  for (auto* a = reinterpret_cast<const rtattr*>(static_cast<const char*>(NLMSG_DATA(h)) + NLMSG_ALIGN(sizeof(inet_diag_msg)));
       RTA_OK(a, room); a = RTA_NEXT(a, room)) {
    if (a->rta_type == INET_DIAG_SKV6ONLY && RTA_PAYLOAD(a) >= 1) d.v6only = *static_cast<const std::uint8_t*>(RTA_DATA(a)) != 0;
    if (a->rta_type == INET_DIAG_SKMEMINFO && RTA_PAYLOAD(a) >= (SK_MEMINFO_BACKLOG + 1) * sizeof(std::uint32_t))
      std::memcpy(&d.backlog, static_cast<const char*>(RTA_DATA(a)) + SK_MEMINFO_BACKLOG * sizeof(std::uint32_t), sizeof d.backlog);
  }
}

}  // namespace

// A netlink socket that belongs to `ns`: made on a thread that joined it.
UniqueFd diag_socket_in(const NetNamespace& ns) {
  int fd = -1;
  on_thread_in(ns, [&] {
    fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) throw HostError(std::string("sock_diag socket: ") + std::strerror(errno));
  });
  return UniqueFd(fd);
}

std::vector<SocketEntry> audit_sockets(const NetNamespace& ns) { return audit_sockets(diag_socket_in(ns).get()); }

namespace {

// Sends one sock_diag request for TCP over `family` (`type`, `flags`, `id`).
void send_request(int fd, std::uint8_t family, std::uint16_t type, std::uint16_t flags,
                  const inet_diag_sockid& id = {}) {
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } query{};
  query.header.nlmsg_len = sizeof query;
  query.header.nlmsg_type = type;
  query.header.nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
  query.request.sdiag_family = family;
  query.request.sdiag_protocol = IPPROTO_TCP;
  query.request.idiag_states = ~0u;
  query.request.idiag_ext = 1U << (INET_DIAG_SKMEMINFO - 1);
  query.request.id = id;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, &query, sizeof query, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    throw HostError(std::string("sock_diag query: ") + std::strerror(errno));
}

void dump_family(int fd, std::uint8_t family, std::vector<Described>& sockets) {
  send_request(fd, family, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
  alignas(nlmsghdr) std::array<char, 16384> buf{};
  for (bool done = false; !done;) {
    const ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    auto len = static_cast<unsigned>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type == NLMSG_ERROR) {
        // The kernel refused the dump (e.g. tcp_diag is a module nobody loaded): never read that as "no sockets".
        const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
        throw HostError(std::string("sock_diag: the kernel refused the TCP socket dump: ") + std::strerror(-err->error) +
                        " (it needs the tcp_diag module: modprobe tcp_diag)");
      }
      if (h->nlmsg_type == NLMSG_DONE) {
        done = true;
        break;
      }
      Described d{*static_cast<const inet_diag_msg*>(NLMSG_DATA(h))};
      read_attributes(h, d);
      sockets.push_back(d);
    }
  }
}

// Every TCP socket of the namespace `fd` belongs to, as the kernel
// describes it: IPv4's, then IPv6's.
std::vector<Described> dump(int fd) {
  std::vector<Described> sockets;
  for (int family : {AF_INET, AF_INET6}) dump_family(fd, static_cast<std::uint8_t>(family), sockets);
  return sockets;
}

}  // namespace

std::vector<SocketEntry> audit_sockets(int fd) {
  std::vector<SocketEntry> sockets;
  for (const auto& [msg, v6only, backlog] : dump(fd)) {
    SocketEntry s;
    const bool mapped = msg.idiag_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(reinterpret_cast<const in6_addr*>(msg.id.idiag_src));
    s.ipv6 = msg.idiag_family == AF_INET6 && !mapped;
    s.ipv4 = msg.idiag_family == AF_INET || mapped || (s.ipv6 && !v6only && IN6_IS_ADDR_UNSPECIFIED(reinterpret_cast<const in6_addr*>(msg.id.idiag_src)));
    s.state = std::string(tcp_state_name(msg.idiag_state));
    s.local = endpoint_text(msg.idiag_family, msg.id.idiag_src, msg.id.idiag_sport);
    s.remote = endpoint_text(msg.idiag_family, msg.id.idiag_dst, msg.id.idiag_dport);
    s.local_port = ntohs(msg.id.idiag_sport);
    s.remote_port = ntohs(msg.id.idiag_dport);
    s.recv_q = msg.idiag_rqueue;
    s.send_q = msg.idiag_wqueue;
    s.orphan = msg.idiag_inode == 0;
    s.timer = msg.idiag_timer;
    s.backlog = backlog;
    sockets.push_back(std::move(s));
  }
  return sockets;
}

namespace {

// SOCK_DESTROY of one socket the dump described: 0, or the kernel's errno.
int destroy(int fd, const inet_diag_msg& msg) {
  send_request(fd, msg.idiag_family, SOCK_DESTROY, NLM_F_ACK, msg.id);
  alignas(nlmsghdr) std::array<char, 1024> buf{};
  ssize_t n;
  while ((n = recv(fd, buf.data(), buf.size(), 0)) < 0 && errno == EINTR) {
  }
  const auto* h = reinterpret_cast<const nlmsghdr*>(buf.data());
  if (n < static_cast<ssize_t>(NLMSG_LENGTH(sizeof(nlmsgerr))) || h->nlmsg_type != NLMSG_ERROR) return EIO;
  return -static_cast<const nlmsgerr*>(NLMSG_DATA(h))->error;
}

}  // namespace

std::size_t destroy_sockets(const NetNamespace& ns) {
  const auto fd = diag_socket_in(ns);
  std::size_t destroyed = 0;
  for (const auto& [msg, v6only, backlog] : dump(fd.get())) {
    const int error = destroy(fd.get(), msg);
    if (error == 0) ++destroyed;
    else if (error == EOPNOTSUPP) break;  // a kernel without CONFIG_INET_DIAG_DESTROY: nothing more to try
    // ENOENT: gone by itself meanwhile.
  }
  return destroyed;
}

void destroy_connection(const NetNamespace& ns, int local_port, int remote_port) {
  const auto fd = diag_socket_in(ns);
  bool found = false;
  for (const auto& [msg, v6only, backlog] : dump(fd.get())) {
    if (ntohs(msg.id.idiag_sport) != local_port || ntohs(msg.id.idiag_dport) != remote_port) continue;
    found = true;
    if (const int error = destroy(fd.get(), msg); error != 0 && error != ENOENT)
      throw HostError(std::string("SOCK_DESTROY of port ") + std::to_string(local_port) + ": " + std::strerror(error) +
                      (error == EOPNOTSUPP ? " (the kernel lacks CONFIG_INET_DIAG_DESTROY)" : ""));
  }
  if (!found) throw HostError("no socket from port " + std::to_string(local_port) + " to port " + std::to_string(remote_port));
}

}  // namespace closepath
