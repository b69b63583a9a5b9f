// Wire patterns: one line describes one packet (or a run of packets).
//
//   c>s S                 direction and exact flag set (tcpdump letters)
//   s>c P. len 1000       payload length (len 510..520: a range)
//   c>s R. seq 1001       relative sequence number (SYN = 0)
//   s>c . ack 1001        relative acknowledgment number
//   c>s . ack fin         acknowledges the other side's FIN (whatever its number)
//   c>s * len 0           any flags
//   c>s +F                any packet whose flags include F (F., FP., ...)
//   s>c P. data           any payload length above 0
//   c>s . gap 0.8s..1.5s  sent 0.8 to 1.5 s after the packet before it
//   c>s R. at 2.5s..4s after step 7
//                         sent 2.5 to 4 s after time anchor 7 began
//                         (the harness anchors step N's start)
//   c>s . {2}             exactly two such packets; {1,} one or more; {0,3}
//   s>c . ?               optional (same as {0,1})
//   ...                   any number of packets, including none
#pragma once

#include "flow.hpp"
#include "number_range.hpp"
#include "wire_effect.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace closepath::pcap {

struct PatternError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TimeWindow {
  std::int64_t lo_ns = 0, hi_ns = 0;
  bool operator==(const TimeWindow&) const = default;
};

struct AnchoredWindow {
  std::size_t anchor = 0;  // 1-based, as written ("after step 7")
  TimeWindow window;
  bool operator==(const AnchoredWindow&) const = default;
};

struct PacketPattern {
  Dir dir = Dir::c2s;
  std::optional<std::uint8_t> flags;  // nullopt: any flags ("*")
  bool flags_include = false;         // "+F": these flags at least
  bool data = false;                  // "data": payload length above 0
  std::optional<std::uint32_t> seq, ack;
  std::optional<NumberRange> len;         // "len N | LOW..HIGH": a TLS record's length varies by a byte
  std::optional<NumberRange> ts_advance;  // "tsval +N | +LOW..HIGH": past the sender's last TSval
  std::optional<std::uint16_t> win;   // the header's window field as sent (tcpdump's "win N"), unscaled
  // TCP options it must carry, in tcpdump's words: "mss N", "wscale N", "sackOK", "TS".
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> wscale;
  bool sack_ok = false, timestamps = false;
  bool ack_fin = false;               // "ack fin": acknowledges the other side's FIN
  std::optional<TimeWindow> gap;      // since the previous packet of the flow
  std::optional<AnchoredWindow> at;   // since an anchor (a step's start)
  std::optional<WireEffect> wire;     // "wire injected": what the wire did to it, as the run recorded it
  bool operator==(const PacketPattern&) const = default;
};

// The longest time a window may name: an hour.
inline constexpr std::int64_t kMaxTimeNs = 3600LL * 1'000'000'000;

// "800ms", "1.5s", "2s" -> nanoseconds, at most kMaxTimeNs; throws PatternError.
std::int64_t parse_time(const std::string& text);
// "0.8s..1.5s"
TimeWindow parse_window(const std::string& text);
std::string window_text(const TimeWindow& w);  // as written: "800ms..1.5s"
bool in_window(const TimeWindow& w, std::int64_t ns);  // both ends included
// A measured time for messages, in s, ms or us by its size ("1.012s",
// "4.4ms", "312us"), with the precision that decides: against `window`, as
// many decimals as it takes for the printed value to fall on the same side
// of it as the measured one (a 4.04ms gap outside 0..4ms reads "4.04ms").
std::string measured_text(std::int64_t ns, const TimeWindow* window = nullptr);

struct PacketRun {
  PacketPattern packet;
  std::size_t min = 1, max = 1;  // max == kUnbounded for "{n,}"
  bool operator==(const PacketRun&) const = default;
};
inline constexpr std::size_t kUnbounded = static_cast<std::size_t>(-1);

struct AnyPackets {  // "..."
  bool operator==(const AnyPackets&) const = default;
};

using PatternElement = std::variant<PacketRun, AnyPackets>;

// Parses one pattern line; throws PatternError saying what is wrong.
PatternElement parse_pattern(const std::string& text);
// Parses a single-packet pattern (no repeat, no "..."), as used by forbid.
PacketPattern parse_packet_pattern(const std::string& text);

std::string to_string(const PacketPattern& p);
std::string to_string(const PatternElement& e);

// Time context for the timing windows: the packet before this one in the
// flow (if any) and the anchors' times, on the packets' clock (mono_ns).
struct MatchTime {
  const FlowPacket* previous = nullptr;
  const std::vector<std::int64_t>* anchors = nullptr;
};

// Whether the packet matches; when not, `why` (if given) gets the first field
// that differs as "expected X vs actual Y".
bool packet_matches(const PacketPattern& pattern, const FlowPacket& packet, std::string* why = nullptr,
                    const MatchTime& time = {});

}  // namespace closepath::pcap
