#include "pcapng_reader.hpp"

#include <cstring>
#include <optional>
#include <stdexcept>

namespace closepath::pcap {
namespace {

constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A, kInterfaceDescription = 1, kObsoletePacket = 2,
                        kSimplePacket = 3, kEnhancedPacket = 6;
constexpr std::uint32_t kByteOrderMagic = 0x1A2B3C4D;
constexpr std::uint16_t kOptComment = 1, kIfName = 2, kIfDescription = 3, kIfTsResol = 9;
// Timestamps beyond this (year 2116) are clamped: differences of two stay within int64.
constexpr std::int64_t kMaxTimestampNs = std::int64_t{1} << 62;

// Reads the file's fields in its section's byte order; every read is bounds-checked by the caller.
class Bytes {
 public:
  explicit Bytes(const std::vector<std::uint8_t>& b) : b_(b) {}
  void set_swapped(bool swapped) { swapped_ = swapped; }
  std::uint16_t u16(std::size_t at) const {
    std::uint16_t v;
    std::memcpy(&v, &b_[at], 2);
    return swapped_ ? static_cast<std::uint16_t>((v >> 8) | (v << 8)) : v;
  }
  std::uint32_t u32(std::size_t at) const {
    std::uint32_t v;
    std::memcpy(&v, &b_[at], 4);
    return swapped_ ? __builtin_bswap32(v) : v;
  }
  std::uint32_t raw32(std::size_t at) const {
    std::uint32_t v;
    std::memcpy(&v, &b_[at], 4);
    return v;
  }
  std::size_t size() const { return b_.size(); }
  std::string text(std::size_t at, std::size_t len) const { return std::string(reinterpret_cast<const char*>(&b_[at]), len); }

 private:
  const std::vector<std::uint8_t>& b_;
  bool swapped_ = false;
};

// Calls `each(code, value)` for the options between `from` and `to`.
template <typename Each>
void options(const Bytes& b, std::size_t from, std::size_t to, Each each) {
  while (from + 4 <= to) {
    const auto code = b.u16(from), len = b.u16(from + 2);
    if (code == 0 || from + 4 + len > to) return;
    each(code, b.text(from + 4, len));
    from += 4 + (len + 3u) / 4 * 4;
  }
}

// if_tsresol: bit 7 clear, 10^-v seconds; set, 2^-v. nullopt beyond what 64 bits hold.
std::optional<std::uint64_t> units_per_second(std::uint8_t v) {
  const unsigned exponent = v & 0x7f;
  if (v & 0x80) return exponent > 63 ? std::nullopt : std::optional(std::uint64_t{1} << exponent);
  if (exponent > 19) return std::nullopt;
  std::uint64_t units = 1;
  for (unsigned i = 0; i < exponent; ++i) units *= 10;
  return units;
}

std::string resolution_text(std::uint8_t v) {
  return ((v & 0x80) ? "2^-" : "10^-") + std::to_string(v & 0x7f);
}

std::int64_t to_ns(std::uint64_t ticks, std::uint64_t units_per_second) {
  const std::uint64_t seconds = ticks / units_per_second, rest = ticks % units_per_second;
  if (seconds > static_cast<std::uint64_t>(kMaxTimestampNs) / 1'000'000'000u) return kMaxTimestampNs;
  // rest < units_per_second: its nanoseconds fit; long double keeps 64 bits of it.
  const auto fraction = static_cast<std::int64_t>(static_cast<long double>(rest) * 1e9L / static_cast<long double>(units_per_second));
  return static_cast<std::int64_t>(seconds) * 1'000'000'000 + fraction;
}

}  // namespace

bool is_pcapng_magic(const std::uint8_t (&first)[4]) {
  return first[0] == 0x0a && first[1] == 0x0d && first[2] == 0x0d && first[3] == 0x0a;
}

PcapngReader::PcapngReader(ByteStream& in, std::filesystem::path path, bool keep_what_was_read)
    : in_(in), path_(std::move(path)), keep_(keep_what_was_read) {}

// The next block whole into block_. A block is at least 12 bytes (type,
// length, trailing length), so 12 are read first; for a section header they
// hold its byte-order magic, which says how to read the length.
bool PcapngReader::read_block() {
  const auto bad = [&](const std::string& problem) {
    return std::runtime_error(path_.string() + ": " + problem + " (block at offset " + std::to_string(offset_) + ")");
  };
  // A file cut short (a capture still being written, a copy interrupted)
  // gives what it holds up to there, when asked to, as tshark does.
  const auto cut = [&](const std::string& problem) {
    if (!keep_) throw bad(problem);
    cut_short_ = bad(problem).what();
    return false;
  };
  offset_ += block_.size();
  block_.clear();
  const auto got = in_.append(block_, 12);
  if (got == 0) return false;
  if (got < 12) return cut("the file ends inside a block header: cut short while being written?");
  Bytes b(block_);
  if (b.raw32(0) == kSectionHeader) {  // the section's byte order comes from its own magic
    const auto magic = b.raw32(8);
    if (magic != kByteOrderMagic && magic != __builtin_bswap32(kByteOrderMagic))
      throw bad("section header with an unknown byte-order magic");
    swapped_ = magic != kByteOrderMagic;
  } else if (!in_section_) {
    throw bad("not a pcapng file: no section header first");
  }
  b.set_swapped(swapped_);
  const auto total = b.u32(4);
  if (total < 12 || total % 4) throw bad("block length " + std::to_string(total) + " is not a multiple of 4 of at least 12");
  if (in_.append(block_, total - 12) < total - 12)
    return cut("block length " + std::to_string(total) + " runs past the end of the file: cut short while being written?");
  if (Bytes(block_).u32(0) == kSectionHeader && total < 28) throw bad("section header block too short");
  return true;
}

bool PcapngReader::next(Frame& f) {
  while (read_block()) {
    if (packet_of_block(f)) return true;
  }
  return false;
}

std::runtime_error PcapngReader::bad(const std::string& problem) const {
  return std::runtime_error(path_.string() + ": " + problem + " (block at offset " + std::to_string(offset_) + ")");
}

// Takes in the block in block_: a packet comes back in `f` (true); any other
// block updates what the reader knows of its section.
bool PcapngReader::packet_of_block(Frame& f) {
  Bytes b(block_);
  b.set_swapped(swapped_);
  const auto type = b.u32(0), total = b.u32(4);
  if (b.u32(total - 4) != total) throw bad("the block's trailing length differs from its leading one");
  const std::size_t body = 8, end = total - 4;
  if (type == kSectionHeader) {
    in_section_ = true;
    first_interface_ = interfaces_.size();
    section_.clear();
    options(b, body + 16, end, [&](std::uint16_t code, const std::string& v) {
      if (code == kOptComment) section_comments_.push_back(v);
    });
  } else if (type == kInterfaceDescription) {
    take_interface(body, end);
  } else if (type == kEnhancedPacket || type == kObsoletePacket) {
    take_packet(f, type == kEnhancedPacket, body, end);
    return true;
  } else if (type == kSimplePacket) {
    take_simple_packet(f, body, end);
    return true;
  }
  return false;
}

void PcapngReader::take_interface(std::size_t body, std::size_t end) {
  Bytes b(block_);
  b.set_swapped(swapped_);
  if (end - body < 8) throw bad("interface description block too short");
  CaptureInterface iface;
  Interface info;
  info.link_type = b.u16(body);
  iface.link_type = info.link_type;
  options(b, body + 8, end, [&](std::uint16_t code, const std::string& v) {
    if (code == kIfName) iface.name = v;
    else if (code == kIfDescription) iface.description = v;
    else if (code == kIfTsResol && v.size() == 1) {
      const auto resolution = static_cast<std::uint8_t>(v[0]);
      const auto units = units_per_second(resolution);
      if (!units) throw bad("timestamp resolution " + resolution_text(resolution) + " is beyond 64 bits");
      info.units_per_second = *units;
    }
  });
  interfaces_.push_back(iface);
  section_.push_back(info);
}

void PcapngReader::take_packet(Frame& f, bool enhanced, std::size_t body, std::size_t end) {
  Bytes b(block_);
  b.set_swapped(swapped_);
  const std::size_t body_len = end - body;
  if (body_len < 20) throw bad("packet block too short");
  const std::uint32_t local = enhanced ? b.u32(body) : b.u16(body);
  if (local >= section_.size())
    throw bad("packet names interface " + std::to_string(local) + ", which its section does not describe");
  const auto captured = b.u32(body + 12);
  if (captured > body_len - 20) throw bad("packet data (" + std::to_string(captured) + " bytes) overruns its block");
  f.interface = static_cast<std::uint32_t>(first_interface_ + local);
  f.link_type = section_[local].link_type;
  const std::uint64_t ticks = (std::uint64_t{b.u32(body + 4)} << 32) | b.u32(body + 8);
  f.ts_ns = to_ns(ticks, section_[local].units_per_second);
  f.original_length = b.u32(body + 16);
  f.bytes.assign(block_.begin() + static_cast<long>(body + 20), block_.begin() + static_cast<long>(body + 20 + captured));
  f.comment.clear();
  options(b, body + 20 + (captured + 3u) / 4 * 4, end, [&](std::uint16_t code, const std::string& v) {
    if (code == kOptComment) f.comment = v;
  });
}

void PcapngReader::take_simple_packet(Frame& f, std::size_t body, std::size_t end) {
  Bytes b(block_);
  b.set_swapped(swapped_);
  const std::size_t body_len = end - body;
  if (body_len < 4) throw bad("simple packet block too short");
  if (section_.empty()) throw bad("simple packet block before any interface description");
  f.interface = static_cast<std::uint32_t>(first_interface_);
  f.link_type = section_.front().link_type;
  f.ts_ns = 0;
  f.original_length = b.u32(body);
  const std::size_t captured = std::min<std::size_t>(f.original_length, body_len - 4);
  f.bytes.assign(block_.begin() + static_cast<long>(body + 4), block_.begin() + static_cast<long>(body + 4 + captured));
  f.comment.clear();
}

PcapngFile read_pcapng(const std::filesystem::path& path, bool keep_what_was_read) {
  ByteStream in(path);
  PcapngReader reader(in, path, keep_what_was_read);
  PcapngFile file;
  Frame f;
  while (reader.next(f)) file.frames.push_back(f);
  file.section_comments = reader.section_comments();
  file.interfaces = reader.interfaces();
  file.cut_short = reader.cut_short();
  return file;
}

}  // namespace closepath::pcap
