#include "socket_options.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>

namespace closepath::protocol {
namespace {

using K = SocketOptionSpec::Kind;
constexpr std::array kOptions{
    SocketOptionSpec{"linger", SOL_SOCKET, SO_LINGER, K::linger, "SO_LINGER: N seconds (0: close sends RST), or off"},
    SocketOptionSpec{"nodelay", IPPROTO_TCP, TCP_NODELAY, K::flag, "TCP_NODELAY: 1 sends small segments at once"},
    SocketOptionSpec{"rcvbuf", SOL_SOCKET, SO_RCVBUF, K::integer, "SO_RCVBUF in bytes (the kernel doubles it); set on the listener, accepted sockets inherit it"},
    SocketOptionSpec{"sndbuf", SOL_SOCKET, SO_SNDBUF, K::integer, "SO_SNDBUF in bytes (the kernel doubles it)"},
    SocketOptionSpec{"keepalive", SOL_SOCKET, SO_KEEPALIVE, K::flag, "SO_KEEPALIVE: 1 sends probes on an idle connection"},
    SocketOptionSpec{"keepidle", IPPROTO_TCP, TCP_KEEPIDLE, K::integer, "TCP_KEEPIDLE: idle seconds before the first probe"},
    SocketOptionSpec{"keepintvl", IPPROTO_TCP, TCP_KEEPINTVL, K::integer, "TCP_KEEPINTVL: seconds between probes"},
    SocketOptionSpec{"keepcnt", IPPROTO_TCP, TCP_KEEPCNT, K::integer, "TCP_KEEPCNT: unanswered probes before the connection is dropped"},
    SocketOptionSpec{"user_timeout", IPPROTO_TCP, TCP_USER_TIMEOUT, K::integer, "TCP_USER_TIMEOUT: milliseconds data may stay unacknowledged before ETIMEDOUT"},
    SocketOptionSpec{"linger2", IPPROTO_TCP, TCP_LINGER2, K::integer, "TCP_LINGER2: seconds an orphan stays in FIN_WAIT2"},
    SocketOptionSpec{"tcp_inq", IPPROTO_TCP, TCP_INQ, K::flag,
                     "TCP_INQ: 1 makes the kernel report, with each read, the bytes still to read (get cm_inq)"},
    SocketOptionSpec{"maxseg", IPPROTO_TCP, TCP_MAXSEG, K::integer,
                     "TCP_MAXSEG: the largest segment it sends and the MSS its SYN advertises (set before connect or listen)"},
};

}  // namespace

const SocketOptionSpec* find_socket_option(const std::string& name) {
  for (const auto& o : kOptions)
    if (name == o.name) return &o;
  return nullptr;
}

std::span<const SocketOptionSpec> socket_options() { return kOptions; }

const std::string& socket_option_names() {
  static const std::string names = [] {
    std::string s;
    for (const auto& o : kOptions) s += (s.empty() ? "" : " ") + std::string(o.name);
    return s;
  }();
  return names;
}

}  // namespace closepath::protocol
