// The decoder's layers, shared by decoder.cpp (link layers, EtherTypes, PPP,
// MPLS) and ip_decoder.cpp (IPv4, IPv6, TCP, and the tunnels inside IP that
// lead back to an EtherType). Not part of the library's interface.
#pragma once

#include "decoder.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <utility>

namespace closepath::pcap::layers {

// What every layer needs to know about the frame as a whole.
struct Context {
  bool cut = false;  // the capture's snaplen cut the frame: lengths in headers say what the wire carried
  int depth = 0;     // tunnels entered so far (bounded: a crafted frame cannot recurse forever)
};
inline constexpr int kMaxDepth = 8;

inline std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}
inline std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
         std::uint32_t{b[at + 3]};
}

inline Decoded skipped(std::string why) {
  Decoded d;
  d.skipped = std::move(why);
  return d;
}
inline Decoded found(Segment s) {
  Decoded d;
  d.segment = std::move(s);
  return d;
}
inline Decoded fragment_of(Fragment f) {
  Decoded d;
  d.fragment = std::move(f);
  return d;
}

Decoded ip(std::span<const std::uint8_t> packet, Context c);             // ip_decoder.cpp
Decoded ether_type(std::uint16_t type, std::span<const std::uint8_t> payload, Context c);  // decoder.cpp
Decoded ethernet(std::span<const std::uint8_t> frame, Context c);         // decoder.cpp
Decoded ppp_frame(std::span<const std::uint8_t> frame, Context c);        // decoder.cpp

}  // namespace closepath::pcap::layers
