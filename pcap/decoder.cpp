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

namespace {

// Link types as pcap and pcapng files name them (LINKTYPE_*), and the DLT_
// values libpcap reports for the same.
enum LinkType : std::uint16_t {
  kNull = 0, kEthernet = 1, kDltRaw = 12, kDltRawBsd = 14, kRaw = 101, kSll = 113, kIpv4 = 228, kIpv6 = 229, kSll2 = 276
};

// The IP packet inside an Ethernet-typed payload (EtherType 0x0800 / 0x86dd).
std::optional<Segment> ip_of_type(std::uint16_t ether_type, std::span<const std::uint8_t> payload) {
  if (ether_type != 0x0800 && ether_type != 0x86dd) return std::nullopt;
  return decode_ip(payload);
}

}  // namespace

bool link_type_supported(std::uint16_t link_type) {
  switch (link_type) {
    case kNull: case kEthernet: case kDltRaw: case kDltRawBsd: case kRaw: case kSll: case kIpv4: case kIpv6: case kSll2:
      return true;
    default:
      return false;
  }
}

std::optional<Segment> decode_frame(const Frame& frame) {
  const std::span<const std::uint8_t> f = frame.bytes;
  std::optional<Segment> seg;
  switch (frame.link_type) {
    case kEthernet: return decode_ethernet(f);
    case kNull:  // a 4-byte address family in the capturing host's byte order
      if (f.size() < 4) return std::nullopt;
      seg = decode_ip(f.subspan(4));
      break;
    case kDltRaw: case kDltRawBsd: case kRaw: case kIpv4: case kIpv6:
      seg = decode_ip(f);
      break;
    case kSll:  // 16-byte header, protocol at 14
      if (f.size() < 16) return std::nullopt;
      seg = ip_of_type(be16(f, 14), f.subspan(16));
      break;
    case kSll2:  // 20-byte header, protocol at 0
      if (f.size() < 20) return std::nullopt;
      seg = ip_of_type(be16(f, 0), f.subspan(20));
      break;
    default:
      return std::nullopt;
  }
  if (seg) seg->frame_len = static_cast<std::uint32_t>(f.size());
  return seg;
}

}  // namespace closepath::pcap
