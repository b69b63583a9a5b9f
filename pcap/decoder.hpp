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

// A captured frame by its link type: Ethernet, NULL/loopback, raw IP
// (LINKTYPE_RAW, IPv4, IPv6), Linux cooked v1 and v2. Anything else: nullopt.
std::optional<Segment> decode_frame(const Frame& frame);

// Whether decode_frame knows the link type.
bool link_type_supported(std::uint16_t link_type);

}  // namespace closepath::pcap
