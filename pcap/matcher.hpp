// Matches a captured flow against an ordered list of wire patterns. The list
// is anchored at both ends: every packet of the flow must be accounted for,
// by a pattern or by "...". Forbidden patterns may match no packet at all.
#pragma once

#include "pattern.hpp"

#include <optional>
#include <string>
#include <vector>

namespace closepath::pcap {

struct Assigned {
  std::size_t pattern = 0, packet = 0;
};

struct Mismatch {
  std::optional<std::size_t> pattern;  // index into the pattern list, if one is to blame
  std::optional<std::size_t> packet;   // index into flow.packets, if one is to blame
  std::string message;                 // "packet 6 (c>s F. ...): expected R. vs actual F."
  std::vector<Assigned> assigned;      // what the attempt that got furthest had matched before it failed
};

// nullopt when the sequence matches; otherwise the mismatch of the attempt
// that got furthest through the patterns, then the packets (the most useful
// place to look).
// `anchors` gives the times "at ... after step N" refers to (mono_ns).
// On a match, `assignment` (if given) gets the pattern index of each packet a
// packet pattern took (packets "..." took are left out), in packet order.
std::optional<Mismatch> match_sequence(const std::vector<PatternElement>& patterns,
                                       const std::vector<FlowPacket>& packets,
                                       const std::vector<std::int64_t>& anchors = {},
                                       std::vector<Assigned>* assignment = nullptr);

// The first packet that matches any forbidden pattern.
std::optional<Mismatch> match_forbidden(const std::vector<PacketPattern>& forbidden,
                                        const std::vector<FlowPacket>& packets);

}  // namespace closepath::pcap
