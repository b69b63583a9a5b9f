// The decoder's layers, shared by link_decoders.cpp (link layers,
// EtherTypes, LLC, 802.11), ip_decoder.cpp (IPv4, IPv6, TCP) and
// tunnel_decoders.cpp (GRE, UDP and the tunnels they carry), which
// encapsulations.cpp's registry names and dispatches to. Not part of the
// library's interface.
#pragma once

#include "decoder.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <utility>

namespace closepath::pcap::layers {

// What every layer needs to know about the frame as a whole.
struct Context {
  bool cut = false;  // the capture's snaplen cut the frame: lengths in headers say what the wire carried
  int depth = 0;     // tunnels entered so far (bounded: a crafted frame cannot recurse forever)
  int link_layers = 0;  // EtherTypes read so far (tags, LLC): bounded, so a frame of stacked tags cannot exhaust the stack
  std::uint16_t gre_flags = 0;  // the enclosing GRE header's flags (ERSPAN's type follows its sequence bit)
};
inline constexpr int kMaxDepth = 8;
inline constexpr int kMaxLinkLayers = 32;

inline std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}
inline std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) | (std::uint32_t{b[at + 2]} << 8) |
         std::uint32_t{b[at + 3]};
}

inline Decoded skipped(std::string why) {
  Decoded d;
  d.skipped = std::move(why);
  return d;
}
inline Decoded found(Segment s) {
  Decoded d;
  d.segment = std::move(s);
  return d;
}
inline Decoded fragment_of(Fragment f) {
  Decoded d;
  d.fragment = std::move(f);
  return d;
}

// A layer's reader: the bytes from its first header on.
using Reader = Decoded (*)(std::span<const std::uint8_t>, Context);

// ip_decoder.cpp
Decoded ip(std::span<const std::uint8_t> packet, Context c);  // IPv4 or IPv6, by the version nibble
Decoded esp(std::span<const std::uint8_t> packet, Context c);

// link_decoders.cpp
Decoded ether_type(std::uint16_t type, std::span<const std::uint8_t> payload, Context c);  // up to 1500: an 802.3 length, LLC follows
Decoded ethernet(std::span<const std::uint8_t> frame, Context c);
Decoded llc(std::span<const std::uint8_t> frame, Context c);
Decoded null_loopback(std::span<const std::uint8_t> frame, Context c);
Decoded ppp_frame(std::span<const std::uint8_t> frame, Context c);
Decoded pppoe_session(std::span<const std::uint8_t> frame, Context c);
Decoded sll(std::span<const std::uint8_t> frame, Context c);
Decoded sll2(std::span<const std::uint8_t> frame, Context c);
Decoded fddi(std::span<const std::uint8_t> frame, Context c);
Decoded nflog(std::span<const std::uint8_t> frame, Context c);
Decoded vlan(std::span<const std::uint8_t> tag, Context c);
Decoded mpls(std::span<const std::uint8_t> stack, Context c);
Decoded fabricpath(std::span<const std::uint8_t> header, Context c);
Decoded pbb(std::span<const std::uint8_t> itag, Context c);
Decoded vntag(std::span<const std::uint8_t> tag, Context c);
Decoded wlan_data(std::span<const std::uint8_t> frame, Context c);

// tunnel_decoders.cpp
Decoded gre(std::span<const std::uint8_t> header, Context c);
Decoded udp(std::span<const std::uint8_t> header, Context c);
Decoded wccp(std::span<const std::uint8_t> header, Context c);
Decoded erspan_2(std::span<const std::uint8_t> header, Context c);
Decoded erspan_3(std::span<const std::uint8_t> header, Context c);
Decoded vxlan(std::span<const std::uint8_t> header, Context c);
Decoded geneve(std::span<const std::uint8_t> header, Context c);
Decoded gtp_u(std::span<const std::uint8_t> header, Context c);
Decoded ayiya(std::span<const std::uint8_t> header, Context c);

}  // namespace closepath::pcap::layers
