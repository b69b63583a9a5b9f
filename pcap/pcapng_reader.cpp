#include "pcapng_reader.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace closepath::pcap {
namespace {

constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A, kInterfaceDescription = 1, kEnhancedPacket = 6;
constexpr std::uint16_t kOptComment = 1, kIfName = 2, kIfDescription = 3, kIfTsResol = 9;

std::uint16_t u16(const std::vector<std::uint8_t>& b, std::size_t at) {
  std::uint16_t v;
  std::memcpy(&v, &b[at], 2);
  return v;
}
std::uint32_t u32(const std::vector<std::uint8_t>& b, std::size_t at) {
  std::uint32_t v;
  std::memcpy(&v, &b[at], 4);
  return v;
}

// Calls `each(code, value)` for the options between `from` and `to`.
template <typename Each>
void options(const std::vector<std::uint8_t>& b, std::size_t from, std::size_t to, Each each) {
  while (from + 4 <= to) {
    const auto code = u16(b, from), len = u16(b, from + 2);
    if (code == 0 || from + 4 + len > to) return;
    each(code, std::string(reinterpret_cast<const char*>(&b[from + 4]), len));
    from += 4 + (len + 3u) / 4 * 4;
  }
}

}  // namespace

bool is_pcapng(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::uint32_t magic = 0;
  in.read(reinterpret_cast<char*>(&magic), 4);
  return in && magic == kSectionHeader;
}

PcapngFile read_pcapng(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  const std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  PcapngFile file;
  std::vector<std::int64_t> ns_per_tick;  // per interface
  std::size_t at = 0;
  while (at + 12 <= b.size()) {
    const auto type = u32(b, at), total = u32(b, at + 4);
    if (total < 12 || total % 4 || at + total > b.size())
      throw std::runtime_error(path.string() + ": malformed block at offset " + std::to_string(at));
    const std::size_t body = at + 8, end = at + total - 4;
    if (type == kSectionHeader) {
      if (u32(b, body) != 0x1A2B3C4D) throw std::runtime_error(path.string() + ": big-endian pcapng is not supported");
      options(b, body + 16, end, [&](std::uint16_t code, const std::string& v) {
        if (code == kOptComment) file.section_comments.push_back(v);
      });
    } else if (type == kInterfaceDescription) {
      CaptureInterface iface;
      std::int64_t tick = 1000;  // default resolution: microseconds
      options(b, body + 8, end, [&](std::uint16_t code, const std::string& v) {
        if (code == kIfName) iface.name = v;
        else if (code == kIfDescription) iface.description = v;
        else if (code == kIfTsResol && v.size() == 1 && !(v[0] & 0x80)) {
          tick = 1;
          for (int i = v[0]; i < 9; ++i) tick *= 10;
        }
      });
      file.interfaces.push_back(iface);
      ns_per_tick.push_back(tick);
    } else if (type == kEnhancedPacket) {
      Frame f;
      f.interface = u32(b, body);
      if (f.interface >= ns_per_tick.size())
        throw std::runtime_error(path.string() + ": packet names interface " + std::to_string(f.interface) + " which is not described");
      const std::uint64_t ticks = (std::uint64_t{u32(b, body + 4)} << 32) | u32(b, body + 8);
      f.ts_ns = static_cast<std::int64_t>(ticks) * ns_per_tick[f.interface];
      const auto captured = u32(b, body + 12);
      if (body + 20 + captured > end) throw std::runtime_error(path.string() + ": packet overruns its block");
      f.bytes.assign(b.begin() + static_cast<long>(body + 20), b.begin() + static_cast<long>(body + 20 + captured));
      options(b, body + 20 + (captured + 3u) / 4 * 4, end, [&](std::uint16_t code, const std::string& v) {
        if (code == kOptComment) f.comment = v;
      });
      file.frames.push_back(std::move(f));
    }
    at += total;
  }
  return file;
}

}  // namespace closepath::pcap
