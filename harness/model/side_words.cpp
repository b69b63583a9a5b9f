// The two sides' words, both ways: the one reader of "client" and "server".
#include "scenario.hpp"

namespace closepath {

std::string to_string(Side s) { return s == Side::client ? "client" : "server"; }

std::optional<Side> side_named(const std::string& word) {
  if (word == "client") return Side::client;
  if (word == "server") return Side::server;
  return std::nullopt;
}

}  // namespace closepath
