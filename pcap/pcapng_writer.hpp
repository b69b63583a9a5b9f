// Minimal pcapng writer: one section, Ethernet interfaces, enhanced packet
// blocks with nanosecond timestamps, a comment and a direction per packet.
// libpcap can read pcapng but not write comments, hence this file.
#pragma once

#include "segment.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace closepath::pcap {

struct CaptureInterface {
  std::string name;         // if_name, e.g. "wc"
  std::string description;  // if_description, e.g. "client leg"
  std::uint16_t link_type = 1;  // LINKTYPE_ETHERNET
};

enum class Direction : std::uint8_t { unknown = 0, inbound = 1, outbound = 2 };

struct CapturedPacket {
  Frame frame;  // frame.interface indexes the interface list
  Direction direction = Direction::inbound;
};

struct SectionInfo {
  std::string application;            // shb_userappl
  std::vector<std::string> comments;  // shb_comment, each its own option
};

// Writes the whole file; throws std::runtime_error naming the path on I/O failure.
void write_pcapng(const std::filesystem::path& path, const SectionInfo& section,
                  const std::vector<CaptureInterface>& interfaces,
                  const std::vector<CapturedPacket>& packets);

}  // namespace closepath::pcap
