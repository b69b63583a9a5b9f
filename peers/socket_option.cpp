#include "socket_option.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <stdexcept>

namespace closepath::peer {

SocketOption SocketOption::from(const std::string& name, int value) {
  if (name == "linger") {  // value < 0: linger off; otherwise {on, value seconds}
    ::linger l{value >= 0 ? 1 : 0, value >= 0 ? value : 0};
    return {name, SOL_SOCKET, SO_LINGER, l};
  }
  if (name == "nodelay") return {name, IPPROTO_TCP, TCP_NODELAY, value};
  if (name == "rcvbuf") return {name, SOL_SOCKET, SO_RCVBUF, value};
  if (name == "sndbuf") return {name, SOL_SOCKET, SO_SNDBUF, value};
  if (name == "keepalive") return {name, SOL_SOCKET, SO_KEEPALIVE, value};
  if (name == "keepidle") return {name, IPPROTO_TCP, TCP_KEEPIDLE, value};
  if (name == "keepintvl") return {name, IPPROTO_TCP, TCP_KEEPINTVL, value};
  if (name == "keepcnt") return {name, IPPROTO_TCP, TCP_KEEPCNT, value};
  if (name == "user_timeout") return {name, IPPROTO_TCP, TCP_USER_TIMEOUT, value};
  if (name == "linger2") return {name, IPPROTO_TCP, TCP_LINGER2, value};
  throw std::invalid_argument("unknown socket option '" + name + "'");
}

}  // namespace closepath::peer
