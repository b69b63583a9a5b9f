// IPv4 and IPv6 down to TCP: options and extension headers walked, fragments
// handed to reassembly, and what else IP carries handed to the reader the
// registry names (encapsulations.cpp), as tshark follows it.
#include "encapsulations.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

namespace closepath::pcap::layers {
namespace {

// An address as inet_ntop writes it; IPv4's by hand (glibc's inet_ntop
// formats it through sprintf, the largest cost of decoding a packet).
std::string addr_string(int family, const std::uint8_t* raw) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (family != AF_INET) {
    inet_ntop(family, raw, text.data(), text.size());
    return text.data();
  }
  char* at = text.data();
  for (int i = 0; i < 4; ++i) {
    if (i) *at++ = '.';
    at = std::to_chars(at, text.data() + text.size(), raw[i]).ptr;
  }
  return std::string(text.data(), at);
}

// One's-complement sum over the pseudo header and the TCP segment. The
// 16-bit words are summed two at a time, as 32-bit words: 2^16 is 1 modulo
// 0xffff, so folding the wider sum gives the same (RFC 1071).
bool tcp_checksum_ok(std::span<const std::uint8_t> pseudo, std::span<const std::uint8_t> tcp) {
  std::uint64_t sum = 0;
  auto add = [&sum](std::span<const std::uint8_t> b) {  // b starts on a 16-bit word
    std::size_t i = 0;
    for (; i + 4 <= b.size(); i += 4) sum += be32(b, i);
    if (i + 2 <= b.size()) sum += be16(b, i), i += 2;
    if (i < b.size()) sum += std::uint32_t{b[i]} << 8;
  };
  add(pseudo);
  add(tcp);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

// The options between the fixed header and `data_offset`, as far as the
// capture holds them; a malformed option ends the reading (what came
// before it stands), as tcpdump prints "[bad opt]".
TcpOptions tcp_options(std::span<const std::uint8_t> tcp, std::size_t data_offset) {
  TcpOptions o;
  const std::size_t end = std::min(data_offset, tcp.size());
  for (std::size_t i = 20; i < end;) {
    const std::uint8_t kind = tcp[i];
    if (kind == 0) break;  // end of options
    if (kind == 1) {       // no-op
      ++i;
      continue;
    }
    if (i + 1 >= end) break;
    const std::size_t size = tcp[i + 1];
    if (size < 2 || i + size > end) break;
    if (kind == 2 && size == 4) o.mss = be16(tcp, i + 2);
    else if (kind == 3 && size == 3) o.wscale = tcp[i + 2];
    else if (kind == 4 && size == 2) o.sack_ok = true;
    else if (kind == 8 && size == 10) {
      o.timestamps = true;
      o.ts_val = be32(tcp, i + 2);
      o.ts_ecr = be32(tcp, i + 6);
    }
    i += size;
  }
  return o;
}

// `tcp` holds what was captured of the segment, `length` its length on the
// wire (more when the capture's snaplen cut it: the headers are enough, the
// checksum cannot be verified).
Decoded tcp_segment(std::span<const std::uint8_t> tcp, std::size_t length, Segment seg,
                    std::span<const std::uint8_t> pseudo) {
  if (tcp.size() < 20) return length >= 20 ? skipped("TCP header cut short by the snaplen") : Decoded{};
  const std::size_t data_offset = (tcp[12] >> 4) * 4u;
  if (data_offset < 20 || data_offset > length) return {};
  seg.src.port = be16(tcp, 0);
  seg.dst.port = be16(tcp, 2);
  seg.seq = be32(tcp, 4);
  seg.ack = be32(tcp, 8);
  seg.flags = tcp[13];
  seg.window = be16(tcp, 14);
  seg.options = tcp_options(tcp, data_offset);
  seg.payload_len = static_cast<std::uint32_t>(length - data_offset);
  seg.truncated = tcp.size() < length;
  seg.checksum_ok = seg.truncated || tcp_checksum_ok(pseudo, tcp);
  return found(seg);
}

// TCP inside IP: the packet's addresses (4 or 16 bytes each) name the ends
// and, with the length, make the checksum's pseudo header. As 16-bit words
// the IPv4 and IPv6 pseudo headers sum alike: the addresses, the length as
// 32 bits (IPv6 jumbograms need the high half), the protocol.
Decoded tcp_in_ip(int family, std::span<const std::uint8_t> src, std::span<const std::uint8_t> dst,
                  std::span<const std::uint8_t> body, std::size_t length) {
  Segment seg;
  seg.src.addr = addr_string(family, src.data());
  seg.dst.addr = addr_string(family, dst.data());
  std::array<std::uint8_t, 16 + 16 + 6> pseudo{};
  auto at = std::copy(dst.begin(), dst.end(), std::copy(src.begin(), src.end(), pseudo.begin()));
  for (const std::size_t word : {(length >> 16) & 0xffff, length & 0xffff, std::size_t{IPPROTO_TCP}}) {
    *at++ = static_cast<std::uint8_t>(word >> 8);
    *at++ = static_cast<std::uint8_t>(word);
  }
  return tcp_segment(body, length, std::move(seg), {pseudo.data(), static_cast<std::size_t>(at - pseudo.begin())});
}

// What an IP packet carries once its own headers are behind, when not TCP: a tunnel, or nothing to read.
Decoded payload(std::uint8_t protocol, std::span<const std::uint8_t> p, Context c) {
  if (c.depth >= kMaxDepth) return skipped("tunnels nested deeper than " + std::to_string(kMaxDepth));
  ++c.depth;
  return carried(Carrier::ip_protocol, protocol, p, c);
}

// A fragment is kept for reassembly when its datagram may lead to TCP: TCP, or a carrier the registry names.
bool may_lead_to_tcp(std::uint8_t protocol) { return encapsulation(Carrier::ip_protocol, protocol) != nullptr; }

Decoded ipv4(std::span<const std::uint8_t> p, Context c) {
  if (p.size() < 20) return {};
  const std::size_t ihl = (p[0] & 0x0f) * 4u;
  if (ihl < 20 || ihl > p.size()) return {};
  // Total length 0: a TSO/GSO super-packet captured before segmentation. A
  // length past what was captured is the snaplen's doing when the frame was
  // cut, and otherwise a lie: then what was captured is the packet (tshark's reading).
  std::size_t total = be16(p, 2);
  if (total == 0 || (!c.cut && total > p.size())) total = p.size();
  if (total < ihl) return {};
  const std::uint8_t protocol = p[9];
  const auto fragment = be16(p, 6);
  const std::size_t offset = (fragment & 0x1fff) * 8u;
  const bool more = fragment & 0x2000;
  if (offset || more) {
    // The first fragment of a datagram the snaplen cut holds the TCP header: read as it is.
    if (!(offset == 0 && c.cut)) {
      if (!may_lead_to_tcp(protocol)) return {};
      Fragment f;
      f.datagram = "4 " + addr_string(AF_INET, &p[12]) + " " + addr_string(AF_INET, &p[16]) + " " +
                   std::to_string(be16(p, 4)) + " " + std::to_string(protocol);
      f.offset = offset;
      f.more = more;
      f.header.assign(p.begin(), p.begin() + static_cast<long>(ihl));
      f.payload.assign(p.begin() + static_cast<long>(ihl), p.begin() + static_cast<long>(std::min(total, p.size())));
      return fragment_of(std::move(f));
    }
  }
  const std::size_t length = total - ihl;
  const auto body = p.subspan(ihl, std::min(length, p.size() - ihl));
  if (protocol != IPPROTO_TCP) return payload(protocol, body, c);
  return tcp_in_ip(AF_INET, p.subspan(12, 4), p.subspan(16, 4), body, length);
}

Decoded ipv6(std::span<const std::uint8_t> p, Context c) {
  if (p.size() < 40) return {};
  // Payload length 0: a jumbogram or a BIG TCP super-packet; as for IPv4, a
  // length past what was captured is believed only when the snaplen cut it.
  std::size_t end = 40 + be16(p, 4);
  if (end == 40 || (!c.cut && end > p.size())) end = p.size();
  std::uint8_t next = p[6];
  std::size_t at = 40;
  for (;;) {  // the extension headers, to the upper layer
    if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS && next != IPPROTO_FRAGMENT &&
        next != IPPROTO_AH)
      break;
    if (at + 8 > p.size()) return skipped("IPv6 extension headers cut short by the snaplen");
    const std::size_t len = next == IPPROTO_FRAGMENT ? 8u
                            : next == IPPROTO_AH     ? (p[at + 1] + 2u) * 4u
                                                     : (p[at + 1] + 1u) * 8u;
    if (next == IPPROTO_FRAGMENT) {
      const std::size_t offset = be16(p, at + 2) & 0xfff8u;
      const bool more = p[at + 3] & 0x01;
      if (offset || more) {  // not an atomic fragment
        if (!may_lead_to_tcp(p[at]) || at + 8 > end) return {};
        Fragment f;
        f.datagram = "6 " + addr_string(AF_INET6, &p[8]) + " " + addr_string(AF_INET6, &p[24]) + " " +
                     std::to_string(be32(p, at + 4));
        f.offset = offset;
        f.more = more;
        f.header.assign(p.begin(), p.begin() + 40);
        f.header[6] = p[at];  // the rebuilt datagram: the fixed header, then the reassembled payload
        f.payload.assign(p.begin() + static_cast<long>(at + 8), p.begin() + static_cast<long>(std::min(end, p.size())));
        return fragment_of(std::move(f));
      }
    }
    next = p[at];
    at += len;
  }
  if (at > end || at > p.size()) return {};
  const std::size_t length = end - at;
  const auto body = p.subspan(at, std::min(length, p.size() - at));
  if (next != IPPROTO_TCP) return payload(next, body, c);
  return tcp_in_ip(AF_INET6, p.subspan(8, 16), p.subspan(24, 16), body, length);
}

}  // namespace

Decoded esp(std::span<const std::uint8_t>, Context) { return skipped("ESP (encrypted)"); }

Decoded ip(std::span<const std::uint8_t> p, Context c) {
  if (p.empty()) return {};
  if ((p[0] >> 4) == 4) return ipv4(p, c);
  if ((p[0] >> 4) == 6) return ipv6(p, c);
  return {};
}

}  // namespace closepath::pcap::layers
