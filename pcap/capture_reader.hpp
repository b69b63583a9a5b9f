// Reads a saved capture (pcap or pcapng, via libpcap) into frames.
#pragma once

#include "segment.hpp"

#include <filesystem>
#include <vector>

namespace closepath::pcap {

// Throws std::runtime_error "PATH: <libpcap's reason>" when the file cannot
// be read or its link type is not Ethernet.
std::vector<Frame> read_capture(const std::filesystem::path& path);

}  // namespace closepath::pcap
