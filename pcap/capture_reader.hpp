// Reads a saved capture into frames: pcapng with our own reader (comments and
// interface ids kept), classic pcap through libpcap.
#pragma once

#include "segment.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace closepath::pcap {

// A saved capture as read: pcapng (either byte order, any number of
// sections) or classic pcap, either one gzip-compressed.
struct CaptureFile {
  std::vector<Frame> frames;
  std::vector<std::string> section_comments;  // pcapng only
  std::string cut_short;                      // why reading stopped before the end ("" when it did not)
};

// Throws std::runtime_error "PATH: <reason>" when the file cannot be read. A
// file cut short (ending inside a packet or block) throws too, unless
// `keep_what_was_read`: then the frames before the cut come back and
// cut_short says why it stopped. Frames of any link type come back; the
// decoder says which it cannot decode.
CaptureFile read_capture_file(const std::filesystem::path& path, bool keep_what_was_read);

// The frames only; with `cut_short`, as read_capture_file(path, true).
std::vector<Frame> read_capture(const std::filesystem::path& path, std::string* cut_short = nullptr);

}  // namespace closepath::pcap
