#include "socket_option.hpp"

#include "socket_options.hpp"

#include <sys/socket.h>

#include <stdexcept>

namespace closepath::peer {

SocketOption SocketOption::from(const std::string& name, int value) {
  const auto* spec = protocol::find_socket_option(name);
  if (!spec) throw std::invalid_argument("unknown socket option '" + name + "'");
  if (spec->kind == protocol::SocketOptionSpec::Kind::linger) {  // value < 0: linger off; otherwise {on, value seconds}
    ::linger l{value >= 0 ? 1 : 0, value >= 0 ? value : 0};
    return {name, spec->level, spec->option, l};
  }
  return {name, spec->level, spec->option, value};
}

}  // namespace closepath::peer
