// Link layers down to IP (ip_decoder.cpp takes it from there): Ethernet with
// any depth of VLAN tags, PPPoE, MPLS, PPP, NULL/loopback, raw IP, Linux
// cooked v1 and v2.
#include "decode_layers.hpp"

#include <netinet/in.h>

namespace closepath::pcap {

std::string flag_letters(std::uint8_t flags) {
  std::string out;
  for (const auto& f : kFlagLetters)
    if (flags & f.bit) out += f.letter;
  return out.empty() ? "none" : out;
}

std::string to_string(const Endpoint& e) {
  if (e.addr.find(':') != std::string::npos) return "[" + e.addr + "]:" + std::to_string(e.port);
  return e.addr + ":" + std::to_string(e.port);
}

namespace layers {
namespace {

// MPLS: labels down to the bottom of the stack, then IP by its version nibble.
Decoded mpls(std::span<const std::uint8_t> f, Context c) {
  std::size_t at = 0;
  for (;; at += 4) {
    if (at + 4 > f.size()) return {};
    if (f[at + 2] & 0x01) break;
  }
  at += 4;
  if (at < f.size() && ((f[at] >> 4) == 4 || (f[at] >> 4) == 6)) return ip(f.subspan(at), c);
  return skipped("MPLS payload other than IP");
}

}  // namespace

// PPP: an optional address/control pair, then a 2-byte protocol.
Decoded ppp_frame(std::span<const std::uint8_t> f, Context c) {
  if (f.size() >= 2 && f[0] == 0xff && f[1] == 0x03) f = f.subspan(2);
  if (f.size() < 2) return {};
  switch (be16(f, 0)) {
    case 0x0021: case 0x0057: return ip(f.subspan(2), c);
    case 0x0281: case 0x0283: return mpls(f.subspan(2), c);
    default: return {};
  }
}

Decoded ether_type(std::uint16_t type, std::span<const std::uint8_t> f, Context c) {
  switch (type) {
    case 0x0800: case 0x86dd:
      return ip(f, c);
    case 0x8100: case 0x88a8: case 0x9100:  // VLAN tags, stacked as deep as they go (QinQ)
      if (f.size() < 4) return {};
      return ether_type(be16(f, 2), f.subspan(4), c);
    case 0x8864:  // PPPoE session: 6-byte header, then PPP
      if (f.size() < 6) return {};
      return ppp_frame(f.subspan(6), c);
    case 0x8847: case 0x8848:
      return mpls(f, c);
    default:
      return {};
  }
}

Decoded ethernet(std::span<const std::uint8_t> f, Context c) {
  if (f.size() < 14) return {};
  return ether_type(be16(f, 12), f.subspan(14), c);
}

}  // namespace layers

namespace {

// Link types as pcap and pcapng files name them (LINKTYPE_*), and the DLT_
// values libpcap reports for the same.
enum LinkType : std::uint16_t {
  kNull = 0, kEthernet = 1, kPpp = 9, kDltRaw = 12, kDltRawBsd = 14, kPppHdlc = 50, kPppEther = 51, kRaw = 101,
  kLoop = 108, kSll = 113, kIpv4 = 228, kIpv6 = 229, kSll2 = 276
};

}  // namespace

std::optional<Segment> decode_ethernet(std::span<const std::uint8_t> f) {
  auto seg = layers::ethernet(f, {}).segment;
  if (seg) seg->frame_len = static_cast<std::uint32_t>(f.size());
  return seg;
}

bool link_type_supported(std::uint16_t link_type) {
  switch (link_type) {
    case kNull: case kEthernet: case kPpp: case kDltRaw: case kDltRawBsd: case kPppHdlc: case kPppEther: case kRaw:
    case kLoop: case kSll: case kIpv4: case kIpv6: case kSll2:
      return true;
    default:
      return false;
  }
}

Decoded decode(const Frame& frame) {
  using namespace layers;
  const std::span<const std::uint8_t> f = frame.bytes;
  const Context c{.cut = frame.original_length > f.size(), .depth = 0};
  Decoded d;
  switch (frame.link_type) {
    case kEthernet:
      d = ethernet(f, c);
      break;
    case kNull: case kLoop:  // a 4-byte address family (host / network byte order); IP tells its version itself
      if (f.size() < 4) return {};
      d = ip(f.subspan(4), c);
      break;
    case kDltRaw: case kDltRawBsd: case kRaw: case kIpv4: case kIpv6:
      d = ip(f, c);
      break;
    case kPpp: case kPppHdlc:
      d = ppp_frame(f, c);
      break;
    case kPppEther:  // PPPoE without the Ethernet header
      if (f.size() < 6) return {};
      d = ppp_frame(f.subspan(6), c);
      break;
    case kSll:  // 16-byte header, protocol at 14
      if (f.size() < 16) return {};
      d = ether_type(be16(f, 14), f.subspan(16), c);
      break;
    case kSll2:  // 20-byte header, protocol at 0
      if (f.size() < 20) return {};
      d = ether_type(be16(f, 0), f.subspan(20), c);
      break;
    default:
      return skipped("link type " + std::to_string(frame.link_type) + " not decoded");
  }
  if (d.segment) d.segment->frame_len = static_cast<std::uint32_t>(f.size());
  return d;
}

std::optional<Segment> decode_frame(const Frame& frame) { return decode(frame).segment; }

Decoded decode_datagram(std::span<const std::uint8_t> packet) { return layers::ip(packet, {}); }

}  // namespace closepath::pcap
