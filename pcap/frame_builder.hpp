// Builds one Ethernet/IPv4/TCP frame with correct checksums, for the
// segments the wire injects (a middlebox's RST).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace closepath::pcap {

struct TcpFrameSpec {
  std::array<std::uint8_t, 6> src_mac{}, dst_mac{};
  std::string src_ip, dst_ip;  // IPv4 dotted quads
  std::uint16_t sport = 0, dport = 0;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
};

// Throws std::invalid_argument for an address that is not IPv4.
std::vector<std::uint8_t> build_tcp_frame(const TcpFrameSpec& spec);

}  // namespace closepath::pcap
