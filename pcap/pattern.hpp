// Wire patterns: one line describes one packet (or a run of packets).
//
//   c>s S                 direction and exact flag set (tcpdump letters)
//   s>c P. len 1000       payload length
//   c>s R. seq 1001       relative sequence number (SYN = 0)
//   s>c . ack 1001        relative acknowledgment number
//   c>s * len 0           any flags
//   c>s . {2}             exactly two such packets; {1,} one or more; {0,3}
//   s>c . ?               optional (same as {0,1})
//   ...                   any number of packets, including none
#pragma once

#include "flow.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace closepath::pcap {

struct PatternError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct PacketPattern {
  Dir dir = Dir::c2s;
  std::optional<std::uint8_t> flags;  // nullopt: any flags ("*")
  std::optional<std::uint32_t> len, seq, ack;
  bool operator==(const PacketPattern&) const = default;
};

struct PacketRun {
  PacketPattern packet;
  std::size_t min = 1, max = 1;  // max == kUnbounded for "{n,}"
};
inline constexpr std::size_t kUnbounded = static_cast<std::size_t>(-1);

struct AnyPackets {};  // "..."

using PatternElement = std::variant<PacketRun, AnyPackets>;

// Parses one pattern line; throws PatternError saying what is wrong.
PatternElement parse_pattern(const std::string& text);
// Parses a single-packet pattern (no repeat, no "..."), as used by forbid.
PacketPattern parse_packet_pattern(const std::string& text);

std::string to_string(const PacketPattern& p);
std::string to_string(const PatternElement& e);

// Whether the packet matches; when not, `why` (if given) gets the first field
// that differs as "expected X vs actual Y".
bool packet_matches(const PacketPattern& pattern, const FlowPacket& packet, std::string* why = nullptr);

}  // namespace closepath::pcap
