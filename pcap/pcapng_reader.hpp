// Minimal pcapng reader: section comments, interfaces, and enhanced packet
// blocks with their comments and interface ids (libpcap reads pcapng but
// drops comments and interface ids). Either byte order, any link type, each
// interface's own link type and timestamp resolution.
#pragma once

#include "pcapng_writer.hpp"
#include "segment.hpp"

#include <filesystem>
#include <cstdint>
#include <string>
#include <vector>

namespace closepath::pcap {

struct PcapngFile {
  std::vector<std::string> section_comments;
  std::vector<CaptureInterface> interfaces;
  std::vector<Frame> frames;  // frame.interface and frame.comment filled in
  std::string cut_short;      // why reading stopped before the end of the file; "" when it did not
};

// Throws std::runtime_error "PATH: problem" for a file it cannot read. A file
// that ends inside a block (cut short while being written) throws too,
// unless `keep_what_was_read`: then the frames before the cut come back,
// with `cut_short` saying where and why.
PcapngFile read_pcapng(const std::filesystem::path& path, bool keep_what_was_read = false);
// The same for a file already in memory (e.g. decompressed); `path` names it in messages.
PcapngFile parse_pcapng(const std::vector<std::uint8_t>& data, const std::filesystem::path& path,
                        bool keep_what_was_read = false);

// Whether the file starts with a pcapng section header.
bool is_pcapng(const std::filesystem::path& path);

}  // namespace closepath::pcap
