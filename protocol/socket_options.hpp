// The socket options a scenario may set (`set NAME VALUE`), one table for
// the grammar (names and values) and the peer (level and option number).
#pragma once

#include <optional>
#include <span>
#include <string>

namespace closepath::protocol {

struct SocketOptionSpec {
  const char* name;
  int level;
  int option;
  enum class Kind { integer, flag, linger } kind;  // linger: -1 is off, N >= 0 seconds
  const char* doc;
};

const SocketOptionSpec* find_socket_option(const std::string& name);
const std::string& socket_option_names();  // "linger nodelay ..." for messages
std::span<const SocketOptionSpec> socket_options();

}  // namespace closepath::protocol
