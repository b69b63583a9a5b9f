#include "pcapng_reader.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
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

struct Interface {
  std::uint64_t units_per_second = 1'000'000;  // default resolution: microseconds
  std::uint16_t link_type = 1;
};

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

bool is_pcapng(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::uint32_t magic = 0;
  in.read(reinterpret_cast<char*>(&magic), 4);
  return in && magic == kSectionHeader;
}

PcapngFile read_pcapng(const std::filesystem::path& path, bool keep_what_was_read) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  const std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_pcapng(data, path, keep_what_was_read);
}

PcapngFile parse_pcapng(const std::vector<std::uint8_t>& data, const std::filesystem::path& path,
                        bool keep_what_was_read) {
  Bytes b(data);
  PcapngFile file;
  std::vector<Interface> section;  // interface ids are per section
  std::size_t first_interface = 0;  // index in file.interfaces of the section's interface 0
  bool in_section = false;
  const auto bad = [&](std::size_t at, const std::string& problem) {
    return std::runtime_error(path.string() + ": " + problem + " (block at offset " + std::to_string(at) + ")");
  };
  std::size_t at = 0;
  // A file cut short (a capture still being written, a copy interrupted)
  // gives what it holds up to there, when asked to, as tshark does.
  const auto cut_short = [&](std::size_t block, const std::string& problem) {
    if (!keep_what_was_read) throw bad(block, problem);
    file.cut_short = bad(block, problem).what();
  };
  while (at < b.size()) {
    if (b.size() - at < 12) {
      cut_short(at, "the file ends inside a block header: cut short while being written?");
      break;
    }
    const auto raw_type = b.raw32(at);
    if (raw_type == kSectionHeader) {  // the section's byte order comes from its own magic
      if (b.size() - at < 28) throw bad(at, "section header block too short");
      const auto magic = b.raw32(at + 8);
      if (magic != kByteOrderMagic && magic != __builtin_bswap32(kByteOrderMagic)) throw bad(at, "section header with an unknown byte-order magic");
      b.set_swapped(magic != kByteOrderMagic);
    } else if (!in_section) {
      throw bad(at, "not a pcapng file: no section header first");
    }
    const auto type = b.u32(at), total = b.u32(at + 4);
    if (total < 12 || total % 4) throw bad(at, "block length " + std::to_string(total) + " is not a multiple of 4 of at least 12");
    if (total > b.size() - at) {
      cut_short(at, "block length " + std::to_string(total) + " runs past the end of the file: cut short while being written?");
      break;
    }
    if (b.u32(at + total - 4) != total) throw bad(at, "the block's trailing length differs from its leading one");
    const std::size_t body = at + 8, end = at + total - 4;
    const std::size_t body_len = end - body;
    if (type == kSectionHeader) {
      in_section = true;
      first_interface = file.interfaces.size();
      section.clear();
      options(b, body + 16, end, [&](std::uint16_t code, const std::string& v) {
        if (code == kOptComment) file.section_comments.push_back(v);
      });
    } else if (type == kInterfaceDescription) {
      if (body_len < 8) throw bad(at, "interface description block too short");
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
          if (!units) throw bad(at, "timestamp resolution " + resolution_text(resolution) + " is beyond 64 bits");
          info.units_per_second = *units;
        }
      });
      file.interfaces.push_back(iface);
      section.push_back(info);
    } else if (type == kEnhancedPacket || type == kObsoletePacket) {
      if (body_len < 20) throw bad(at, "packet block too short");
      const bool enhanced = type == kEnhancedPacket;
      const std::uint32_t local = enhanced ? b.u32(body) : b.u16(body);
      if (local >= section.size())
        throw bad(at, "packet names interface " + std::to_string(local) + ", which its section does not describe");
      const auto captured = b.u32(body + 12);
      if (captured > body_len - 20) throw bad(at, "packet data (" + std::to_string(captured) + " bytes) overruns its block");
      Frame f;
      f.interface = static_cast<std::uint32_t>(first_interface + local);
      f.link_type = section[local].link_type;
      const std::uint64_t ticks = (std::uint64_t{b.u32(body + 4)} << 32) | b.u32(body + 8);
      f.ts_ns = to_ns(ticks, section[local].units_per_second);
      f.original_length = b.u32(body + 16);
      f.bytes.assign(data.begin() + static_cast<long>(body + 20), data.begin() + static_cast<long>(body + 20 + captured));
      options(b, body + 20 + (captured + 3u) / 4 * 4, end, [&](std::uint16_t code, const std::string& v) {
        if (code == kOptComment) f.comment = v;
      });
      file.frames.push_back(std::move(f));
    } else if (type == kSimplePacket) {
      if (body_len < 4) throw bad(at, "simple packet block too short");
      if (section.empty()) throw bad(at, "simple packet block before any interface description");
      Frame f;
      f.interface = static_cast<std::uint32_t>(first_interface);
      f.link_type = section.front().link_type;
      f.original_length = b.u32(body);
      const std::size_t captured = std::min<std::size_t>(f.original_length, body_len - 4);
      f.bytes.assign(data.begin() + static_cast<long>(body + 4), data.begin() + static_cast<long>(body + 4 + captured));
      file.frames.push_back(std::move(f));
    }
    at += total;
  }
  return file;
}

}  // namespace closepath::pcap
