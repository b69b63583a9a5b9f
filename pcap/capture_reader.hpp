// Reads a saved capture frame by frame: pcapng with our own reader (comments
// and interface ids kept), classic pcap through libpcap; either one
// gzip-compressed. Memory holds one frame at a time, however large the file.
#pragma once

#include "segment.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace closepath::pcap {

// What a reading of a capture found besides its frames.
struct CaptureSummary {
  std::vector<std::string> section_comments;  // pcapng only: of the sections read
  std::string cut_short;                      // why reading stopped before the end ("" when it did not)
  std::size_t frames = 0;                     // frames read
};

// Calls `each(index, frame)` for every frame in file order (index from 0:
// Wireshark's No. - 1) until it returns false. The frame's buffers are reused
// for the next one. Throws std::runtime_error "PATH: <reason>" when the file
// cannot be read. A file cut short (ending inside a packet or block) throws
// too, unless `keep_what_was_read`: then the frames before the cut are read
// and cut_short says why it stopped. Frames of any link type come; the
// decoder says which it cannot decode.
// With `fd` (>= 0), reads that descriptor from its start (a pipe spooled to
// a file: spool_if_not_seekable) and names it `path` in messages.
CaptureSummary read_frames(const std::filesystem::path& path, bool keep_what_was_read,
                           const std::function<bool(std::size_t, const Frame&)>& each, int fd = -1);

// A capture that cannot be read twice (a pipe, a terminal: anything but a
// regular file) copied to an unlinked temporary file, whose descriptor comes
// back for read_frames; -1 for a regular file (read where it is). Throws
// std::runtime_error "PATH: ..." when it cannot.
int spool_if_not_seekable(const std::filesystem::path& path);

// A saved capture read whole into memory (the live run's own captures, tests).
struct CaptureFile {
  std::vector<Frame> frames;
  std::vector<std::string> section_comments;  // pcapng only
  std::string cut_short;                      // why reading stopped before the end ("" when it did not)
};
CaptureFile read_capture_file(const std::filesystem::path& path, bool keep_what_was_read);

// The frames only; with `cut_short`, as read_capture_file(path, true).
std::vector<Frame> read_capture(const std::filesystem::path& path, std::string* cut_short = nullptr);

}  // namespace closepath::pcap
