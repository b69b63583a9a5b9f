#include "frame_builder.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdexcept>

namespace closepath::pcap {
namespace {

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  put16(b, at, static_cast<std::uint16_t>(v >> 16));
  put16(b, at + 2, static_cast<std::uint16_t>(v));
}

std::uint16_t checksum(const std::vector<std::uint8_t>& b, std::size_t from, std::size_t len, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < len; i += 2) sum += (std::uint32_t{b[from + i]} << 8) | b[from + i + 1];
  if (len % 2) sum += std::uint32_t{b[from + len - 1]} << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

std::uint32_t ipv4(const std::string& text) {
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1) throw std::invalid_argument("not an IPv4 address: " + text);
  return ntohl(a.s_addr);
}

bool is_ipv6(const std::string& text) {
  in6_addr a{};
  return inet_pton(AF_INET6, text.c_str(), &a) == 1;
}

void put_ipv6(std::vector<std::uint8_t>& f, std::size_t at, const std::string& text) {
  in6_addr a{};
  if (inet_pton(AF_INET6, text.c_str(), &a) != 1) throw std::invalid_argument("not an IPv6 address: " + text);
  std::copy(a.s6_addr, a.s6_addr + 16, f.begin() + static_cast<std::ptrdiff_t>(at));
}

// The option bytes, each option padded with no-ops to a 4-byte boundary as Linux does.
std::vector<std::uint8_t> option_bytes(const TcpOptions& o) {
  constexpr std::uint8_t nop = 1;
  std::vector<std::uint8_t> b;
  auto add32 = [&](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(v >> shift));
  };
  if (o.mss) b.insert(b.end(), {2, 4, static_cast<std::uint8_t>(*o.mss >> 8), static_cast<std::uint8_t>(*o.mss)});
  if (o.sack_ok) b.insert(b.end(), o.timestamps ? std::initializer_list<std::uint8_t>{4, 2} : std::initializer_list<std::uint8_t>{nop, nop, 4, 2});
  if (o.timestamps) {
    if (!o.sack_ok) b.insert(b.end(), {nop, nop});
    b.insert(b.end(), {8, 10});
    add32(o.ts_val);
    add32(o.ts_ecr);
  }
  if (o.wscale) b.insert(b.end(), {nop, 3, 3, *o.wscale});
  return b;
}

}  // namespace

std::vector<std::uint8_t> build_tcp_frame(const TcpFrameSpec& s) {
  const bool v6 = is_ipv6(s.src_ip);
  const auto options = option_bytes(s.options);
  constexpr std::size_t eth = 14;
  const std::size_t ip = v6 ? 40 : 20, tcp = 20 + options.size();
  const std::size_t segment = tcp + s.payload.size();
  std::vector<std::uint8_t> f(eth + ip + segment, 0);
  std::copy(s.dst_mac.begin(), s.dst_mac.end(), f.begin());
  std::copy(s.src_mac.begin(), s.src_mac.end(), f.begin() + 6);
  if (v6) {
    // IPv6 header: version 6, no traffic class or flow label, hop limit 64.
    put16(f, 12, 0x86dd);
    f[eth] = 0x60;
    put16(f, eth + 4, static_cast<std::uint16_t>(segment));
    f[eth + 6] = IPPROTO_TCP;
    f[eth + 7] = 64;
    put_ipv6(f, eth + 8, s.src_ip);
    put_ipv6(f, eth + 24, s.dst_ip);
  } else {
    // IPv4 header: no options, DF, TTL 64.
    put16(f, 12, 0x0800);
    f[eth] = 0x45;
    put16(f, eth + 2, static_cast<std::uint16_t>(ip + segment));
    put16(f, eth + 6, 0x4000);
    f[eth + 8] = 64;
    f[eth + 9] = IPPROTO_TCP;
    put32(f, eth + 12, ipv4(s.src_ip));
    put32(f, eth + 16, ipv4(s.dst_ip));
    put16(f, eth + 10, checksum(f, eth, ip));
  }
  // TCP header and its options.
  const std::size_t t = eth + ip;
  put16(f, t, s.sport);
  put16(f, t + 2, s.dport);
  put32(f, t + 4, s.seq);
  put32(f, t + 8, s.ack);
  f[t + 12] = static_cast<std::uint8_t>((tcp / 4) << 4);
  f[t + 13] = s.flags;
  put16(f, t + 14, s.window);
  std::copy(options.begin(), options.end(), f.begin() + static_cast<std::ptrdiff_t>(t + 20));
  std::copy(s.payload.begin(), s.payload.end(), f.begin() + static_cast<std::ptrdiff_t>(t + tcp));
  // Pseudo header: both addresses (as 16-bit words), protocol, TCP length.
  const std::size_t addresses = v6 ? eth + 8 : eth + 12, address_bytes = v6 ? 32 : 8;
  std::uint32_t pseudo = 0;
  for (std::size_t i = 0; i < address_bytes; i += 2) pseudo += (std::uint32_t{f[addresses + i]} << 8) | f[addresses + i + 1];
  pseudo += static_cast<std::uint32_t>(IPPROTO_TCP + segment);
  put16(f, t + 16, checksum(f, t, segment, pseudo));
  return f;
}

}  // namespace closepath::pcap
