// A capture file read front to back, gzip-compressed or not (zlib inflates
// it on the way, several members as gzip writes them when appended to),
// without holding it in memory. It can also be handed to libpcap as a FILE*.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

struct gzFile_s;  // zlib's, kept out of this header

namespace closepath::pcap {

class ByteStream {
 public:
  // Throws std::runtime_error "PATH: cannot open (reason)". With `fd`
  // (>= 0), reads that descriptor from its start instead, naming it `path`
  // in messages; the descriptor stays open.
  explicit ByteStream(const std::filesystem::path& path, int fd = -1);
  ~ByteStream();
  ByteStream(const ByteStream&) = delete;
  ByteStream& operator=(const ByteStream&) = delete;

  // Up to n bytes; fewer only at the end of the data (or of what a damaged
  // gzip stream gave: see problem()).
  std::size_t read(void* to, std::size_t n);
  // Appends up to n bytes to `to`, growing it only as data arrives: a length
  // field from a damaged file cannot make it allocate more than the file holds.
  std::size_t append(std::vector<std::uint8_t>& to, std::size_t n);
  // Bytes to be read again first (a peeked magic number).
  void unread(const void* bytes, std::size_t n);

  // Why the data stopped before the file's end: "" when it did not;
  // otherwise "PATH: gzip data is corrupt (...)" or "PATH: the gzip stream
  // ends early: cut short while being written?". corrupt() tells the two apart.
  const std::string& problem() const { return problem_; }
  bool corrupt() const { return corrupt_; }

  // A read-only FILE* over the same stream (for libpcap), valid while this
  // object lives; fclose on it leaves the stream open.
  FILE* as_file();

 private:
  std::filesystem::path path_;
  gzFile_s* gz_ = nullptr;
  std::vector<std::uint8_t> pending_;  // unread bytes, served first
  std::string problem_;
  bool corrupt_ = false;
};

}  // namespace closepath::pcap
