// Minimal pcapng reader: section comments, interfaces, and enhanced packet
// blocks with their comments and interface ids (libpcap reads pcapng but
// drops comments and interface ids). Little-endian sections, Ethernet.
#pragma once

#include "pcapng_writer.hpp"
#include "segment.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace closepath::pcap {

struct PcapngFile {
  std::vector<std::string> section_comments;
  std::vector<CaptureInterface> interfaces;
  std::vector<Frame> frames;  // frame.interface and frame.comment filled in
};

// Throws std::runtime_error "PATH: problem" for a file it cannot read.
PcapngFile read_pcapng(const std::filesystem::path& path);

// Whether the file starts with a pcapng section header.
bool is_pcapng(const std::filesystem::path& path);

}  // namespace closepath::pcap
