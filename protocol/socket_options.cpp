#include "socket_options.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <array>

namespace closepath::protocol {
namespace {

using K = SocketOptionSpec::Kind;
constexpr std::array kOptions{
    SocketOptionSpec{"linger", SOL_SOCKET, SO_LINGER, K::linger},
    SocketOptionSpec{"nodelay", IPPROTO_TCP, TCP_NODELAY, K::flag},
    SocketOptionSpec{"rcvbuf", SOL_SOCKET, SO_RCVBUF, K::integer},
    SocketOptionSpec{"sndbuf", SOL_SOCKET, SO_SNDBUF, K::integer},
    SocketOptionSpec{"keepalive", SOL_SOCKET, SO_KEEPALIVE, K::flag},
    SocketOptionSpec{"keepidle", IPPROTO_TCP, TCP_KEEPIDLE, K::integer},
    SocketOptionSpec{"keepintvl", IPPROTO_TCP, TCP_KEEPINTVL, K::integer},
    SocketOptionSpec{"keepcnt", IPPROTO_TCP, TCP_KEEPCNT, K::integer},
    SocketOptionSpec{"user_timeout", IPPROTO_TCP, TCP_USER_TIMEOUT, K::integer},
    SocketOptionSpec{"linger2", IPPROTO_TCP, TCP_LINGER2, K::integer},
};

}  // namespace

const SocketOptionSpec* find_socket_option(const std::string& name) {
  for (const auto& o : kOptions)
    if (name == o.name) return &o;
  return nullptr;
}

const std::string& socket_option_names() {
  static const std::string names = [] {
    std::string s;
    for (const auto& o : kOptions) s += (s.empty() ? "" : " ") + std::string(o.name);
    return s;
  }();
  return names;
}

}  // namespace closepath::protocol
