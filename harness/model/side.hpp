// An endpoint, and the two ways between the words client/server and the
// directions of packets.
#pragma once

#include "flow.hpp"

#include <optional>
#include <string>

namespace closepath {

// An endpoint. Directions are pcap::Dir (one way) and pcap::Dirs (a set);
// these two are the only ways between the words.
enum class Side { client, server };
std::string to_string(Side s);
// By its word, "client" or "server"; nullopt for any other.
std::optional<Side> side_named(const std::string& word);
using pcap::Dir;
using pcap::Dirs;
constexpr Dir sent_by(Side s) { return s == Side::client ? Dir::c2s : Dir::s2c; }
constexpr Dir toward(Side s) { return s == Side::client ? Dir::s2c : Dir::c2s; }

}  // namespace closepath
