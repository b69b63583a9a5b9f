// The tunnels IP carries to more TCP: GRE (and what its protocol type names:
// Ethernet, WCCP, ERSPAN, Aruba's 802.11), and UDP's (VXLAN, Geneve, GRE over
// UDP, GTP-U, AYIYA). Each is read as tshark reads it; where tshark shows an
// inner and an outer TCP, the innermost is the one decoded.
#include "encapsulations.hpp"

#include <netinet/in.h>

#include <algorithm>

namespace closepath::pcap::layers {

// GRE version 0: checksum, key and sequence number when their bits say so
// (RFC 2890); version 1 (PPTP's enhanced GRE) is not followed.
Decoded gre(std::span<const std::uint8_t> p, Context c) {
  if (p.size() < 4) return {};
  const auto flags = be16(p, 0);
  if (flags & 0x0007) return {};
  const std::size_t header = 4 + ((flags & 0x8000) ? 4 : 0) + ((flags & 0x2000) ? 4 : 0) + ((flags & 0x1000) ? 4 : 0);
  if (p.size() < header) return {};
  c.gre_flags = flags;
  const auto type = be16(p, 2);
  if (const auto* e = encapsulation(Carrier::gre_protocol, type)) return e->read(p.subspan(header), c);
  return ether_type(type, p.subspan(header), c);
}

// UDP: its length bounds the datagram; the lower port is tried first, then the higher (as Wireshark does).
Decoded udp(std::span<const std::uint8_t> p, Context c) {
  if (p.size() < 8) return {};
  const std::size_t length = be16(p, 4);
  const auto body = length >= 8 && length <= p.size() ? p.subspan(8, length - 8) : p.subspan(8);
  const auto a = be16(p, 0), b = be16(p, 2);
  for (const std::uint16_t port : {std::min(a, b), std::max(a, b)})
    if (const auto* e = encapsulation(Carrier::udp_port, port)) return e->read(body, c);
  return {};
}

Decoded wccp(std::span<const std::uint8_t> p, Context c) {  // a 4-byte redirect header, then IP
  if (p.size() < 4) return {};
  return ip(p.subspan(4), c);
}

// ERSPAN type II has an 8-byte header and GRE a sequence number; type I has neither.
Decoded erspan_2(std::span<const std::uint8_t> p, Context c) {
  if (!(c.gre_flags & 0x1000)) return ethernet(p, c);
  if (p.size() < 8) return {};
  return ethernet(p.subspan(8), c);
}

// ERSPAN type III: a 12-byte header, the 8-byte platform subheader when its
// O bit is set; frame type 0 is Ethernet (the rest is not followed).
Decoded erspan_3(std::span<const std::uint8_t> p, Context c) {
  if (p.size() < 12) return {};
  const std::size_t header = 12 + ((p[11] & 0x01) ? 8 : 0);
  if (p.size() < header || ((p[10] >> 2) & 0x1f) != 0) return {};
  return ethernet(p.subspan(header), c);
}

Decoded vxlan(std::span<const std::uint8_t> p, Context c) {
  if (p.size() < 8) return {};
  return ethernet(p.subspan(8), c);
}

Decoded geneve(std::span<const std::uint8_t> p, Context c) {  // options, then a protocol type
  if (p.size() < 8) return {};
  const std::size_t header = 8 + (p[0] & 0x3f) * 4u;
  if (p.size() < header) return {};
  const auto type = be16(p, 2);
  return type == 0x6558 ? ethernet(p.subspan(header), c) : ether_type(type, p.subspan(header), c);
}

// GTP-U (GTPv1, protocol type GTP): a G-PDU's 8-byte header, the optional
// 4 bytes when any of E, S, PN is set, the extension headers the E bit
// chains (each its length in 4-byte units, the next type its last byte),
// then the user's IP packet, as long as GTP's length says.
Decoded gtp_u(std::span<const std::uint8_t> p, Context c) {
  if (p.size() < 8) return {};
  const std::uint8_t flags = p[0];
  if ((flags >> 5) != 1 || !(flags & 0x10) || p[1] != 0xff) return {};  // not a GTPv1 G-PDU
  const std::size_t end = std::min<std::size_t>(8 + be16(p, 2), p.size());
  std::size_t at = 8;
  if (flags & 0x07) {
    if (end < 12) return {};
    std::uint8_t next = (flags & 0x04) ? p[11] : 0;
    for (at = 12; next != 0;) {
      if (at >= end || p[at] == 0 || at + p[at] * 4u > end) return {};
      at += p[at] * 4u;
      next = p[at - 1];
    }
  }
  return ip(p.subspan(at, end - at), c);
}

// AYIYA: an 8-byte header (identity length as a power of two, signature
// length in 4-byte words, opcode, next header), the identity and the
// signature; a forward (opcode 1) then carries IP.
Decoded ayiya(std::span<const std::uint8_t> p, Context c) {
  if (p.size() < 8) return {};
  const std::size_t header = 8 + (std::size_t{1} << (p[0] >> 4)) + (p[1] >> 4) * 4u;
  if ((p[2] & 0x0f) != 1 || (p[3] != IPPROTO_IPV6 && p[3] != IPPROTO_IPIP) || p.size() < header) return {};
  return ip(p.subspan(header), c);
}

}  // namespace closepath::pcap::layers
