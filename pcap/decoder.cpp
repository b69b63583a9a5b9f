#include "decoder.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

namespace closepath::pcap {
namespace {

std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}
std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
         (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
}

std::string addr_string(int family, const std::uint8_t* raw) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  inet_ntop(family, raw, text.data(), text.size());
  return text.data();
}

// One's-complement sum over the pseudo header and the TCP segment.
bool tcp_checksum_ok(std::span<const std::uint8_t> pseudo, std::span<const std::uint8_t> tcp) {
  std::uint32_t sum = 0;
  auto add = [&sum](std::span<const std::uint8_t> b) {
    for (std::size_t i = 0; i + 1 < b.size(); i += 2) sum += be16(b, i);
    if (b.size() % 2) sum += std::uint32_t{b.back()} << 8;
  };
  add(pseudo);
  add(tcp);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

std::optional<Segment> decode_tcp(std::span<const std::uint8_t> tcp, Segment seg,
                                  std::span<const std::uint8_t> pseudo) {
  if (tcp.size() < 20) return std::nullopt;
  const std::size_t data_offset = (tcp[12] >> 4) * 4u;
  if (data_offset < 20 || data_offset > tcp.size()) return std::nullopt;
  seg.src.port = be16(tcp, 0);
  seg.dst.port = be16(tcp, 2);
  seg.seq = be32(tcp, 4);
  seg.ack = be32(tcp, 8);
  seg.flags = tcp[13];
  seg.window = be16(tcp, 14);
  seg.payload_len = static_cast<std::uint32_t>(tcp.size() - data_offset);
  seg.checksum_ok = tcp_checksum_ok(pseudo, tcp);
  return seg;
}

}  // namespace

std::string flag_letters(std::uint8_t flags) {
  std::string out;
  if (flags & kFin) out += 'F';
  if (flags & kSyn) out += 'S';
  if (flags & kRst) out += 'R';
  if (flags & kPsh) out += 'P';
  if (flags & kUrg) out += 'U';
  if (flags & kEce) out += 'E';
  if (flags & kCwr) out += 'W';
  if (flags & kAck) out += '.';
  return out.empty() ? "none" : out;
}

std::string to_string(const Endpoint& e) {
  if (e.addr.find(':') != std::string::npos) return "[" + e.addr + "]:" + std::to_string(e.port);
  return e.addr + ":" + std::to_string(e.port);
}

std::optional<Segment> decode_ip(std::span<const std::uint8_t> p) {
  if (p.empty()) return std::nullopt;
  Segment seg;
  const int version = p[0] >> 4;
  if (version == 4) {
    if (p.size() < 20) return std::nullopt;
    const std::size_t ihl = (p[0] & 0x0f) * 4u;
    const std::size_t total = be16(p, 2);
    if (ihl < 20 || total < ihl || total > p.size()) return std::nullopt;
    if (p[9] != IPPROTO_TCP) return std::nullopt;
    if ((be16(p, 6) & 0x3fff) != 0) return std::nullopt;  // fragment
    seg.src.addr = addr_string(AF_INET, &p[12]);
    seg.dst.addr = addr_string(AF_INET, &p[16]);
    const auto tcp = p.subspan(ihl, total - ihl);
    std::array<std::uint8_t, 12> pseudo{};
    std::copy_n(&p[12], 8, pseudo.begin());
    pseudo[9] = IPPROTO_TCP;
    pseudo[10] = static_cast<std::uint8_t>(tcp.size() >> 8);
    pseudo[11] = static_cast<std::uint8_t>(tcp.size());
    return decode_tcp(tcp, seg, pseudo);
  }
  if (version == 6) {
    if (p.size() < 40) return std::nullopt;
    const std::size_t payload = be16(p, 4);
    if (40 + payload > p.size()) return std::nullopt;
    if (p[6] != IPPROTO_TCP) return std::nullopt;  // extension headers: not ours
    seg.src.addr = addr_string(AF_INET6, &p[8]);
    seg.dst.addr = addr_string(AF_INET6, &p[24]);
    const auto tcp = p.subspan(40, payload);
    std::array<std::uint8_t, 40> pseudo{};
    std::copy_n(&p[8], 32, pseudo.begin());
    pseudo[34] = static_cast<std::uint8_t>(tcp.size() >> 8);
    pseudo[35] = static_cast<std::uint8_t>(tcp.size());
    pseudo[39] = IPPROTO_TCP;
    return decode_tcp(tcp, seg, pseudo);
  }
  return std::nullopt;
}

std::optional<Segment> decode_ethernet(std::span<const std::uint8_t> f) {
  if (f.size() < 14) return std::nullopt;
  std::size_t at = 12;
  std::uint16_t type = be16(f, at);
  if (type == 0x8100) {  // one VLAN tag
    if (f.size() < 18) return std::nullopt;
    at += 4;
    type = be16(f, at);
  }
  if (type != 0x0800 && type != 0x86dd) return std::nullopt;
  auto seg = decode_ip(f.subspan(at + 2));
  if (seg) seg->frame_len = static_cast<std::uint32_t>(f.size());
  return seg;
}

}  // namespace closepath::pcap
