// Reads a saved capture into frames: pcapng with our own reader (comments and
// interface ids kept), classic pcap through libpcap.
#pragma once

#include "segment.hpp"

#include <filesystem>
#include <vector>

namespace closepath::pcap {

// Throws std::runtime_error "PATH: <libpcap's reason>" when the file cannot
// be read or its link type is not Ethernet.
std::vector<Frame> read_capture(const std::filesystem::path& path);

}  // namespace closepath::pcap
