#include "pcapng_writer.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <sys/utsname.h>

namespace closepath::pcap {
namespace {

// Block types and option codes from draft-ietf-opsawg-pcapng.
constexpr std::uint32_t kSectionHeader = 0x0A0D0D0A;
constexpr std::uint32_t kInterfaceDescription = 0x00000001;
constexpr std::uint32_t kEnhancedPacket = 0x00000006;
constexpr std::uint16_t kOptEnd = 0, kOptComment = 1;
constexpr std::uint16_t kShbOs = 3, kShbUserAppl = 4;
constexpr std::uint16_t kIfName = 2, kIfDescription = 3, kIfTsResol = 9;
constexpr std::uint16_t kEpbFlags = 2;
constexpr std::uint16_t kLinkTypeEthernet = 1;
constexpr std::uint32_t kSnapLen = 262144;

class Block {
 public:
  void u16(std::uint16_t v) { raw(&v, 2); }
  void u32(std::uint32_t v) { raw(&v, 4); }
  void u64(std::uint64_t v) { raw(&v, 8); }
  void raw(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    body_.insert(body_.end(), b, b + n);
  }
  void pad() { body_.resize((body_.size() + 3) / 4 * 4, 0); }
  void option(std::uint16_t code, const void* p, std::size_t n) {
    u16(code);
    u16(static_cast<std::uint16_t>(n));
    raw(p, n);
    pad();
  }
  void option(std::uint16_t code, const std::string& s) {
    if (!s.empty()) option(code, s.data(), std::min<std::size_t>(s.size(), 65000));
  }
  void end_options() { u16(kOptEnd); u16(0); }

  // Frames the body as type | total length | body | total length.
  void emit(std::ofstream& out, std::uint32_t type) const {
    const auto total = static_cast<std::uint32_t>(body_.size() + 12);
    out.write(reinterpret_cast<const char*>(&type), 4);
    out.write(reinterpret_cast<const char*>(&total), 4);
    out.write(reinterpret_cast<const char*>(body_.data()), static_cast<std::streamsize>(body_.size()));
    out.write(reinterpret_cast<const char*>(&total), 4);
  }

 private:
  std::vector<std::uint8_t> body_;
};

std::string os_name() {
  utsname u{};
  if (uname(&u) != 0) return "Linux";
  return std::string(u.sysname) + " " + u.release;
}

}  // namespace

void write_pcapng(const std::filesystem::path& path, const SectionInfo& section,
                  const std::vector<CaptureInterface>& interfaces,
                  const std::vector<CapturedPacket>& packets) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error(path.string() + ": cannot open for writing: " + std::strerror(errno));

  Block shb;
  shb.u32(0x1A2B3C4D);  // byte-order magic
  shb.u16(1);
  shb.u16(0);
  shb.u64(~std::uint64_t{0});  // section length unknown
  for (const auto& comment : section.comments) shb.option(kOptComment, comment);
  shb.option(kShbOs, os_name());
  shb.option(kShbUserAppl, section.application);
  shb.end_options();
  shb.emit(out, kSectionHeader);

  for (const auto& iface : interfaces) {
    Block idb;
    idb.u16(kLinkTypeEthernet);
    idb.u16(0);
    idb.u32(kSnapLen);
    idb.option(kIfName, iface.name);
    idb.option(kIfDescription, iface.description);
    const std::uint8_t nanoseconds = 9;
    idb.option(kIfTsResol, &nanoseconds, 1);
    idb.end_options();
    idb.emit(out, kInterfaceDescription);
  }

  for (const auto& p : packets) {
    Block epb;
    const auto ts = static_cast<std::uint64_t>(p.frame.ts_ns);
    const auto len = static_cast<std::uint32_t>(p.frame.bytes.size());
    epb.u32(p.frame.interface);
    epb.u32(static_cast<std::uint32_t>(ts >> 32));
    epb.u32(static_cast<std::uint32_t>(ts));
    epb.u32(len);
    epb.u32(len);
    epb.raw(p.frame.bytes.data(), len);
    epb.pad();
    epb.option(kOptComment, p.frame.comment);
    const std::uint32_t flags = static_cast<std::uint32_t>(p.direction);
    epb.option(kEpbFlags, &flags, 4);
    epb.end_options();
    epb.emit(out, kEnhancedPacket);
  }
  out.flush();
  if (!out) throw std::runtime_error(path.string() + ": write failed: " + std::strerror(errno));
}

}  // namespace closepath::pcap
