// Plain data shared by the capture, decoder, flow tracker and matcher.
// Nothing here knows about scenarios: a Segment is one decoded TCP frame.
#pragma once

#include <array>
#include <cstdint>
#include <climits>
#include <optional>
#include <string>
#include <vector>

namespace closepath::pcap {

// TCP flag bits as they sit in the header's 13th byte.
enum TcpFlag : std::uint8_t {
  kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08,
  kAck = 0x10, kUrg = 0x20, kEce = 0x40, kCwr = 0x80,
};

// The one table of tcpdump's flag letters, in the order tcpdump prints them.
struct FlagLetter {
  std::uint8_t bit;
  char letter;
};
inline constexpr std::array<FlagLetter, 8> kFlagLetters{
    {{kFin, 'F'}, {kSyn, 'S'}, {kRst, 'R'}, {kPsh, 'P'}, {kUrg, 'U'}, {kEce, 'E'}, {kCwr, 'W'}, {kAck, '.'}}};

// tcpdump's flag letters in tcpdump's order ("S.", "FP.", "R"); "none" for no flag.
std::string flag_letters(std::uint8_t flags);
// The bit of one letter, or 0 when it names no flag.
constexpr std::uint8_t flag_bit(char letter) {
  for (const auto& f : kFlagLetters)
    if (f.letter == letter) return f.bit;
  return 0;
}

// later - earlier in nanoseconds, saturated to the int64 range: capture
// timestamps come from files and may be anything.
inline std::int64_t elapsed_ns(std::int64_t later, std::int64_t earlier) {
  std::int64_t d = 0;
  if (!__builtin_sub_overflow(later, earlier, &d)) return d;
  return later > earlier ? INT64_MAX : INT64_MIN;
}

// One frame as captured: raw bytes plus where and when it was seen.
struct Frame {
  std::int64_t ts_ns = 0;        // CLOCK_REALTIME, nanoseconds
  std::uint32_t interface = 0;   // capture interface (wire leg) index
  std::vector<std::uint8_t> bytes;
  std::string comment;           // pcapng packet comment, may be empty
  std::uint16_t link_type = 1;   // LINKTYPE_ of its interface (1: Ethernet)
  std::uint32_t original_length = 0;  // on the wire; 0 when unknown (bytes may be fewer: snaplen)
};

// An IPv4 or IPv6 address plus port, printable.
struct Endpoint {
  std::string addr;
  std::uint16_t port = 0;
  bool operator==(const Endpoint&) const = default;
};
std::string to_string(const Endpoint& e);

// The TCP options a pattern can name, as tcpdump prints them ("mss 1460",
// "wscale 7", "sackOK", "TS val ... ecr ...").
struct TcpOptions {
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> wscale;
  bool sack_ok = false;
  bool timestamps = false;
  std::uint32_t ts_val = 0, ts_ecr = 0;  // with timestamps
  bool operator==(const TcpOptions&) const = default;
};

// One decoded TCP segment (absolute sequence numbers).
struct Segment {
  Endpoint src, dst;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;
  TcpOptions options;
  std::uint32_t payload_len = 0;
  std::uint32_t frame_len = 0;   // whole frame, for the MTU check
  bool checksum_ok = true;      // true too when it cannot be verified (truncated)
  bool truncated = false;        // the capture holds less of it than the wire carried
};

}  // namespace closepath::pcap
