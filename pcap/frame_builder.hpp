// Builds one Ethernet/IPv4/TCP or Ethernet/IPv6/TCP frame with correct checksums, for the
// segments the wire injects (a middlebox's RST, a segment of the scenario's choosing).
#pragma once

#include "segment.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace closepath::pcap {

struct TcpFrameSpec {
  std::array<std::uint8_t, 6> src_mac{}, dst_mac{};
  std::string src_ip, dst_ip;  // both IPv4 dotted quads, or both IPv6
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  TcpOptions options{};  // laid out as Linux lays out a SYN's: mss, sackOK, TS, wscale
  std::vector<std::uint8_t> payload{};
};

// Throws std::invalid_argument for an address that is neither (or not of the other's family).
std::vector<std::uint8_t> build_tcp_frame(const TcpFrameSpec& spec);

}  // namespace closepath::pcap
