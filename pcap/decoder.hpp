// Ethernet / IPv4 / IPv6 / TCP decoding of one captured frame.
#pragma once

#include "segment.hpp"

#include <cstdint>
#include <optional>
#include <span>

namespace closepath::pcap {

// Returns the TCP segment carried by an Ethernet II frame (optionally one
// 802.1Q tag), or nullopt for anything else (ARP, ICMP, UDP, fragments,
// truncated frames). Never throws on malformed input.
std::optional<Segment> decode_ethernet(std::span<const std::uint8_t> frame);

// Same for a frame that starts at the IP header (LINKTYPE_RAW).
std::optional<Segment> decode_ip(std::span<const std::uint8_t> packet);

}  // namespace closepath::pcap
