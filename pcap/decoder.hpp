// The TCP segment a captured frame carries, through its encapsulations.
#pragma once

#include "segment.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace closepath::pcap {

// One fragment of an IP datagram that carries TCP, for reassembly
// (reassembly.hpp): the datagram is rebuilt from `header` (the IP header to
// put in front) and the payloads at their offsets.
struct Fragment {
  std::string datagram;  // what identifies its datagram: version, addresses, id (and protocol)
  std::size_t offset = 0;
  bool more = false;     // more fragments follow
  std::vector<std::uint8_t> header, payload;
};

// A frame decoded: its TCP segment; or a fragment of a datagram that may
// carry one; or why a frame that may carry TCP was not decoded ("ESP
// (encrypted)", "MPLS payload other than IP", "link type 105 not decoded").
// All empty: not TCP (ARP, UDP, ICMP...).
struct Decoded {
  std::optional<Segment> segment;
  std::string skipped;
  std::optional<Fragment> fragment;
};

// A captured frame by its link type, through every encapsulation
// encapsulations.hpp's registry names (link types, EtherTypes, IP
// protocols, GRE protocol types, UDP ports); IPv6 extension headers are
// walked. A frame cut by the capture's snaplen decodes from its headers
// (Segment::truncated), as does a TSO/GSO super-packet whose IP length is 0.
// Never throws on malformed input.
Decoded decode(const Frame& frame);
std::optional<Segment> decode_frame(const Frame& frame);  // decode(frame).segment

// The TCP segment of an Ethernet frame (the live wire's frames), or nullopt.
std::optional<Segment> decode_ethernet(std::span<const std::uint8_t> frame);

// A rebuilt IP datagram (reassembly.hpp), decoded like a frame of raw IP.
Decoded decode_datagram(std::span<const std::uint8_t> packet);

// Whether decode knows the link type.
bool link_type_supported(std::uint16_t link_type);

}  // namespace closepath::pcap
