// Minimal pcapng reader: section comments, interfaces, and enhanced packet
// blocks with their comments and interface ids (libpcap reads pcapng but
// drops comments and interface ids). Either byte order, any link type, each
// interface's own link type and timestamp resolution.
#pragma once

#include "byte_stream.hpp"
#include "pcapng_writer.hpp"
#include "segment.hpp"

#include <filesystem>
#include <cstdint>
#include <string>
#include <stdexcept>
#include <vector>

namespace closepath::pcap {

struct PcapngFile {
  std::vector<std::string> section_comments;
  std::vector<CaptureInterface> interfaces;
  std::vector<Frame> frames;  // frame.interface and frame.comment filled in
  std::string cut_short;      // why reading stopped before the end of the file; "" when it did not
};

// Reads a pcapng stream a block at a time: memory holds one block, however
// large the file. Throws std::runtime_error "PATH: problem (block at offset
// N)" for a file it cannot read. A file that ends inside a block (cut short
// while being written) throws too, unless `keep_what_was_read`: then reading
// ends at the cut, with cut_short() saying where and why.
class PcapngReader {
 public:
  PcapngReader(ByteStream& in, std::filesystem::path path, bool keep_what_was_read);
  // The next packet into `f` (its buffers reused); false at the end.
  bool next(Frame& f);
  // Those of the sections read so far.
  const std::vector<std::string>& section_comments() const { return section_comments_; }
  const std::vector<CaptureInterface>& interfaces() const { return interfaces_; }
  const std::string& cut_short() const { return cut_short_; }

 private:
  struct Interface {
    std::uint64_t units_per_second = 1'000'000;  // default resolution: microseconds
    std::uint16_t link_type = 1;
  };
  bool read_block();  // into block_; false at the end (or a cut)
  bool packet_of_block(Frame& f);
  void take_interface(std::size_t body, std::size_t end);
  void take_packet(Frame& f, bool enhanced, std::size_t body, std::size_t end);
  void take_simple_packet(Frame& f, std::size_t body, std::size_t end);
  std::runtime_error bad(const std::string& problem) const;  // naming the file and the block's offset

  ByteStream& in_;
  std::filesystem::path path_;
  bool keep_;
  std::vector<std::uint8_t> block_;
  std::uint64_t offset_ = 0;  // of the block in block_
  bool swapped_ = false;      // the section's byte order is not ours
  bool in_section_ = false;
  std::vector<Interface> section_;   // interface ids are per section
  std::size_t first_interface_ = 0;  // index in interfaces_ of the section's interface 0
  std::vector<std::string> section_comments_;
  std::vector<CaptureInterface> interfaces_;
  std::string cut_short_;
};

// A whole file in memory (tests, small files).
PcapngFile read_pcapng(const std::filesystem::path& path, bool keep_what_was_read = false);

// Whether these bytes begin a pcapng section header.
bool is_pcapng_magic(const std::uint8_t (&first)[4]);

}  // namespace closepath::pcap
