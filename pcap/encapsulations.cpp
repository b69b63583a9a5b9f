#include "encapsulations.hpp"

#include <array>

namespace closepath::pcap {
namespace {

using namespace layers;
using C = Carrier;

constexpr Encapsulation one(Carrier carrier, std::uint32_t key, const char* name, const char* doc, Reader read) {
  return {carrier, key, key, 1, name, doc, read};
}

// The most common first: a frame's lookups walk the table from the top (the
// markdown lists each carrier's entries in this order too).
constexpr std::array kRegistry{
    one(C::link_type, 1, "Ethernet", "Ethernet II, or 802.3 with LLC/SNAP", ethernet),
    one(C::ether_type, 0x0800, "IPv4", "options walked, fragments reassembled", ip),
    one(C::ether_type, 0x86dd, "IPv6", "extension headers walked, fragments reassembled", ip),
    one(C::ether_type, 0x8100, "802.1Q VLAN", "tags stacked as deep as real frames stack them (32 link-layer headers at most)", vlan),
    one(C::ether_type, 0x88a8, "802.1ad QinQ", "the service tag, then what it tags", vlan),
    one(C::ether_type, 0x9100, "QinQ (0x9100)", "the older service tag", vlan),
    one(C::ether_type, 0x8864, "PPPoE session", "PPP inside, as long as PPPoE's length says", pppoe_session),
    Encapsulation{C::ether_type, 0x8847, 0x8848, 1, "MPLS", "labels to the bottom of the stack, then IP", mpls},
    one(C::ether_type, 0x8903, "Cisco FabricPath", "its 16-byte header, then the inner Ethernet frame", fabricpath),
    one(C::ether_type, 0x88e7, "802.1ah PBB (MAC-in-MAC)", "the I-TAG, then the customer's Ethernet frame", pbb),
    one(C::ether_type, 0x8926, "VN-Tag", "the tag, then what it tags", vntag),
    one(C::ip_protocol, 6, "TCP", "what every encapsulation leads to", nullptr),
    one(C::ip_protocol, 4, "IPv4 in IP", "the inner packet", ip),
    one(C::ip_protocol, 41, "IPv6 in IP", "the inner packet", ip),
    one(C::ip_protocol, 47, "GRE", "version 0, its optional fields skipped; the protocol type an EtherType unless a GRE protocol entry names it",
        gre),
    one(C::ip_protocol, 17, "UDP", "the tunnels its ports name, the lower port tried first (as Wireshark tries them)", udp),
    one(C::ip_protocol, 50, "ESP", "named as encrypted, never read", esp),
    one(C::gre_protocol, 0x6558, "transparent Ethernet bridging", "an Ethernet frame", ethernet),
    one(C::gre_protocol, 0x883e, "WCCP redirect", "a 4-byte redirect header, then IP", wccp),
    one(C::gre_protocol, 0x88be, "ERSPAN type I and II", "type II's 8-byte header when GRE has a sequence number, then Ethernet",
        erspan_2),
    one(C::gre_protocol, 0x22eb, "ERSPAN type III", "its 12-byte header and the platform subheader, then Ethernet",
        erspan_3),
    Encapsulation{C::gre_protocol, 0x8200, 0x8370, 0x10, "Aruba (WLAN controller)",
                  "an 802.11 data frame, then LLC/SNAP; encrypted frames and A-MSDUs named, not read", wlan_data},
    one(C::udp_port, 4789, "VXLAN", "its 8-byte header, then Ethernet", vxlan),
    one(C::udp_port, 6081, "Geneve", "its header and options, then Ethernet or the EtherType it names", geneve),
    one(C::udp_port, 4754, "GRE over UDP", "a GRE header, then as GRE", gre),
    one(C::udp_port, 2152, "GTP-U", "a G-PDU's header and extension headers, then IP (fragments of the UDP reassembled)",
        gtp_u),
    one(C::udp_port, 5072, "AYIYA", "a forward's header, identity and signature, then IP", ayiya),
    one(C::link_type, 0, "NULL/loopback", "a 4-byte address family, then IP", null_loopback),
    one(C::link_type, 108, "OpenBSD loopback", "a 4-byte address family, then IP", null_loopback),
    one(C::link_type, 101, "raw IP", "IP from the first byte", ip),
    one(C::link_type, 12, "raw IP (DLT_RAW)", "IP from the first byte", ip),
    one(C::link_type, 14, "raw IP (BSD DLT_RAW)", "IP from the first byte", ip),
    one(C::link_type, 228, "raw IPv4", "IP from the first byte", ip),
    one(C::link_type, 229, "raw IPv6", "IP from the first byte", ip),
    one(C::link_type, 113, "Linux cooked v1 (SLL)", "its 16-byte header, then the EtherType it names", sll),
    one(C::link_type, 276, "Linux cooked v2 (SLL2)", "its 20-byte header, then the EtherType it names", sll2),
    one(C::link_type, 9, "PPP", "address and control when present, then IPv4, IPv6 or MPLS", ppp_frame),
    one(C::link_type, 50, "PPP in HDLC framing", "as PPP", ppp_frame),
    one(C::link_type, 51, "PPPoE without Ethernet", "the PPPoE header, then PPP", pppoe_session),
    one(C::link_type, 10, "FDDI", "its 13-byte header, then LLC/SNAP", fddi),
    one(C::link_type, 239, "Linux NFLOG", "the payload TLV (host or network byte order), then IP", nflog),
};

std::string key_text(Carrier c, std::uint32_t key) {
  if (c == C::ether_type || c == C::gre_protocol) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex = "0x";
    for (int shift = 12; shift >= 0; shift -= 4) hex += kHex[(key >> shift) & 0xf];
    return hex;
  }
  return std::to_string(key);
}

}  // namespace

std::span<const Encapsulation> encapsulations() { return kRegistry; }

const char* carrier_name(Carrier c) {
  switch (c) {
    case C::link_type: return "link type";
    case C::ether_type: return "EtherType";
    case C::ip_protocol: return "IP protocol";
    case C::gre_protocol: return "GRE protocol";
    case C::udp_port: return "UDP port";
  }
  return "?";
}

const Encapsulation* encapsulation(Carrier carrier, std::uint32_t key) {
  for (const auto& e : kRegistry)
    if (e.carrier == carrier && key >= e.first && key <= e.last && (key - e.first) % e.step == 0) return &e;
  return nullptr;
}

std::string encapsulations_markdown() {
  std::string out = "| found as | key | encapsulation | what is read |\n|---|---|---|---|\n";
  for (const auto carrier : {C::link_type, C::ether_type, C::ip_protocol, C::gre_protocol, C::udp_port})
    for (const auto& e : kRegistry) {
      if (e.carrier != carrier) continue;
      std::string key = key_text(e.carrier, e.first);
      if (e.last != e.first)
        key += "-" + key_text(e.carrier, e.last) + (e.step == 1 ? "" : " in steps of " + key_text(e.carrier, e.step));
      out += std::string("| ") + carrier_name(e.carrier) + " | " + key + " | " + e.name + " | " + e.doc + " |\n";
    }
  return out;
}

namespace layers {

Decoded carried(Carrier carrier, std::uint32_t key, std::span<const std::uint8_t> bytes, Context c) {
  const auto* e = encapsulation(carrier, key);
  if (!e || !e->read) return {};
  return e->read(bytes, c);
}

}  // namespace layers
}  // namespace closepath::pcap
