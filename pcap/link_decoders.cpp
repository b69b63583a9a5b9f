// Link layers down to IP (ip_decoder.cpp takes it from there): Ethernet II
// and 802.3 with LLC/SNAP, the tags an EtherType names (VLAN, QinQ, PBB,
// VN-Tag, FabricPath), PPPoE, PPP, MPLS, NULL/loopback, Linux cooked v1 and
// v2, FDDI, NFLOG, and the 802.11 data frames Aruba's GRE carries. Which
// reader a key leads to is encapsulations.cpp's to say.
#include "encapsulations.hpp"

#include <algorithm>

namespace closepath::pcap::layers {

Decoded ether_type(std::uint16_t type, std::span<const std::uint8_t> f, Context c) {
  if (++c.link_layers > kMaxLinkLayers)
    return skipped("link-layer headers stacked deeper than " + std::to_string(kMaxLinkLayers));
  // Up to 1500 the field is an 802.3 length, and LLC follows (as long as it says, the padding left out).
  if (type <= 1500) return llc(f.first(std::min<std::size_t>(type, f.size())), c);
  return carried(Carrier::ether_type, type, f, c);
}

Decoded ethernet(std::span<const std::uint8_t> f, Context c) {
  if (f.size() < 14) return {};
  return ether_type(be16(f, 12), f.subspan(14), c);
}

// 802.2 LLC: SNAP (an OUI, then an EtherType), or IP's own SAP.
Decoded llc(std::span<const std::uint8_t> f, Context c) {
  if (f.size() < 3) return {};
  if (f[0] == 0xaa && f[1] == 0xaa && f[2] == 0x03) {
    if (f.size() < 8) return {};
    const std::uint32_t oui = (std::uint32_t{f[3]} << 16) | (std::uint32_t{f[4]} << 8) | f[5];
    if (oui != 0 && oui != 0xf8) return {};  // an organisation's own protocol ID, not an EtherType
    return ether_type(be16(f, 6), f.subspan(8), c);
  }
  if (f[0] == 0x06 && f[1] == 0x06 && f[2] == 0x03) return ip(f.subspan(3), c);
  return {};
}

// A 4-byte address family (host or network byte order): IP says its version itself.
Decoded null_loopback(std::span<const std::uint8_t> f, Context c) {
  if (f.size() < 4) return {};
  return ip(f.subspan(4), c);
}

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

// PPPoE session: a 6-byte header whose length bounds the PPP frame (what follows is padding).
Decoded pppoe_session(std::span<const std::uint8_t> f, Context c) {
  if (f.size() < 6) return {};
  return ppp_frame(f.subspan(6, std::min<std::size_t>(be16(f, 4), f.size() - 6)), c);
}

Decoded sll(std::span<const std::uint8_t> f, Context c) {  // 16-byte header, protocol at 14
  if (f.size() < 16) return {};
  return ether_type(be16(f, 14), f.subspan(16), c);
}

Decoded sll2(std::span<const std::uint8_t> f, Context c) {  // 20-byte header, protocol at 0
  if (f.size() < 20) return {};
  return ether_type(be16(f, 0), f.subspan(20), c);
}

// FDDI: frame control, then the two addresses; an LLC frame's class bits are 01.
Decoded fddi(std::span<const std::uint8_t> f, Context c) {
  if (f.size() < 13 || (f[0] & 0x30) != 0x10) return {};
  return llc(f.subspan(13), c);
}

// NFLOG: family, version and group, then TLVs whose length and type are in
// the logging host's byte order (little-endian from x86, as a rule): the
// first TLV's length says which. The packet is the payload TLV (type 9).
Decoded nflog(std::span<const std::uint8_t> f, Context c) {
  if (f.size() < 8) return {};
  const auto le16 = [&f](std::size_t at) { return static_cast<std::uint16_t>(f[at] | (f[at + 1] << 8)); };
  const bool little = le16(4) >= 4 && le16(4) <= f.size() - 4;
  const auto host16 = [&](std::size_t at) { return little ? le16(at) : be16(f, at); };
  for (std::size_t at = 4; at + 4 <= f.size();) {
    const std::size_t length = host16(at);
    if (length < 4) return {};
    if ((host16(at + 2) & 0x7fff) == 9)
      return ip(f.subspan(at + 4, std::min(length, f.size() - at) - 4), c);
    at += (length + 3) & ~std::size_t{3};
  }
  return {};
}

Decoded vlan(std::span<const std::uint8_t> f, Context c) {  // the tag's 2 bytes, then the next type
  if (f.size() < 4) return {};
  return ether_type(be16(f, 2), f.subspan(4), c);
}

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

Decoded fabricpath(std::span<const std::uint8_t> f, Context c) {  // FTag and TTL, then the inner frame
  if (f.size() < 2) return {};
  return ethernet(f.subspan(2), c);
}

Decoded pbb(std::span<const std::uint8_t> f, Context c) {  // the 4-byte I-TAG, then the customer's frame
  if (f.size() < 4) return {};
  return ethernet(f.subspan(4), c);
}

Decoded vntag(std::span<const std::uint8_t> f, Context c) {  // a 4-byte tag, then the next type
  if (f.size() < 6) return {};
  return ether_type(be16(f, 4), f.subspan(6), c);
}

// An 802.11 data frame (no FCS): its header (a fourth address between two
// distribution systems, QoS and HT control when present), then LLC/SNAP.
Decoded wlan_data(std::span<const std::uint8_t> f, Context c) {
  if (f.size() < 24 || ((f[0] >> 2) & 0x3) != 2) return {};  // not a data frame
  const std::uint8_t subtype = f[0] >> 4, flags = f[1];
  if (subtype & 0x4) return {};  // a null data frame carries nothing
  if (flags & 0x40) return skipped("802.11 frame encrypted");
  if ((flags & 0x04) || (f[22] & 0x0f)) return skipped("802.11 fragment (not reassembled)");
  std::size_t at = 24 + ((flags & 0x03) == 0x03 ? 6 : 0);
  if (subtype & 0x8) {  // QoS data
    if (f.size() < at + 2) return {};
    if (f[at] & 0x80) return skipped("802.11 A-MSDU (not read)");
    at += 2 + ((flags & 0x80) ? 4 : 0);
  }
  if (f.size() < at) return {};
  return llc(f.subspan(at), c);
}

}  // namespace closepath::pcap::layers
