// Flow tracking: picks one TCP connection out of a list of segments, names
// each segment's direction (client to server or back) and rewrites its
// sequence and acknowledgment numbers relative to each side's ISN, as
// Wireshark shows them: the SYN has seq 0; a side whose SYN was not seen
// counts from 1 at its first segment.
#pragma once

#include "segment.hpp"

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace closepath::pcap {

// The one direction vocabulary: the way a packet travels, and a set of ways
// as scenarios name them (c>s, s>c, both).
enum class Dir : std::uint8_t { c2s, s2c };
std::string to_string(Dir d);  // "c>s" / "s>c"
constexpr Dir reverse(Dir d) { return d == Dir::c2s ? Dir::s2c : Dir::c2s; }
constexpr std::size_t index(Dir d) { return d == Dir::c2s ? 0 : 1; }

enum class Dirs : std::uint8_t { c2s, s2c, both };
std::string to_string(Dirs d);  // "c>s" / "s>c" / "both"
std::optional<Dirs> dirs_named(const std::string& word);  // to_string's inverse; nullopt for any other word
constexpr bool covers(Dirs set, Dir d) { return set == Dirs::both || (set == Dirs::c2s) == (d == Dir::c2s); }
constexpr Dirs only(Dir d) { return d == Dir::c2s ? Dirs::c2s : Dirs::s2c; }

struct FlowPacket {
  std::size_t frame = 0;     // the frame's index in the capture (Wireshark's No. - 1)
  std::int64_t ts_ns = 0;
  std::int64_t mono_ns = 0;  // the clock timing windows use (the capture's time when nothing better is known)
  Dir dir = Dir::c2s;
  std::uint8_t flags = 0;
  std::uint32_t len = 0;     // TCP payload bytes
  std::uint32_t seq = 0;     // relative to the sender's ISN
  std::uint32_t ack = 0;     // relative to the receiver's ISN, 0 without ACK
  std::uint32_t peer_fin = 0;  // the other side's FIN seen before this packet: its seq + 1 (relative); 0 when none
  std::uint16_t window = 0;
  TcpOptions options;
  // Its TSval less the TSval of the sender's last segment before it that had
  // one (the capture's; nullopt for the first, or without timestamps).
  std::optional<std::int32_t> ts_advance;
  bool checksum_ok = true;
  bool truncated = false;    // cut by the capture's snaplen: headers only
  std::string note;          // the frame's comment (what the wire did), if any
  bool delivered = true;     // reached the receiver (false: dropped on the wire)
  bool injected = false;     // made by the wire, not sent by the endpoint it names
  std::uint8_t effects = 0;  // what the wire did to it: WireEffect bits (wire_effect.hpp)
};

// "c>s P. seq 1 ack 1 len 1000" - the form used in messages and ladders.
std::string describe(const FlowPacket& p);
// "frame 8 (c>s F. seq 101 ack 201 len 0)": a packet in messages, by its
// frame's number in the capture (Wireshark's No.).
std::string frame_label(const FlowPacket& p);

struct Flow {
  Endpoint client, server;
  std::vector<FlowPacket> packets;
  // With every incarnation of the port pair (track_flow's `every_incarnation`):
  // where each later one begins (its SYN), as an index into `packets`.
  std::vector<std::size_t> incarnations;
  std::size_t other_tcp = 0;  // TCP segments of other connections, ignored
  std::map<std::string, std::size_t> skipped;  // frames of the capture that may hold TCP but were not decoded, by why
};

// One TCP connection of a capture, by its endpoints.
struct Connection {
  Endpoint client, server;
  std::size_t packets = 0;
  bool syn_seen = false;  // the client's SYN was captured (else: the capture starts mid-connection)
};
std::string to_string(const Connection& c);  // "client 10.0.0.1:20001 -> server 10.0.0.2:47000"

// A --client that names no connection of the capture.
struct NoSuchConnection : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Checks a client hint: ADDR, ADDR:PORT or [ADDR]:PORT (IPv4 or IPv6);
// throws std::invalid_argument saying what is wrong with it.
void check_client_hint(const std::string& hint);

// A capture that can be read front to back as often as needed: a file
// (read again each time, never held whole) or frames in memory. It calls
// `each(index, frame)` for its frames in order until `each` returns false.
using FrameVisitor = std::function<bool(std::size_t, const Frame&)>;
using FrameSource = std::function<void(const FrameVisitor&)>;
FrameSource frames_in_memory(const std::vector<Frame>& frames);  // refers to them: they must outlive it

// Builds the flow of one connection of the capture: the first whose client
// matches `client_hint` (an address or address:port; a capture that starts
// mid-connection may name either end), else the first connection whose SYN
// was captured, else the first. Throws NoSuchConnection, listing the
// connections there are, when a hint matches none. Frames that are not TCP
// are skipped. Reads the source twice (which connection, then its packets):
// memory holds the chosen connection's packets and, with a hint, only the
// connections of that address; without one, a line per connection.
// `every_incarnation` adds the later connections of the same port pair (a
// new SYN after a close, say into the server's TIME_WAIT), each numbered
// from its own SYN as Wireshark numbers a new stream: a run's whole story.
Flow track_flow(const FrameSource& frames, const std::optional<std::string>& client_hint = {},
                bool every_incarnation = false);
Flow track_flow(const std::vector<Frame>& frames, const std::optional<std::string>& client_hint = {},
                bool every_incarnation = false);

// Every TCP connection of the capture, in the order of its first packet (a
// reused port pair is a new connection from its new SYN on).
struct Flows {
  std::vector<Flow> flows;
  std::map<std::string, std::size_t> skipped;  // as in Flow
};
Flows track_flows(const FrameSource& frames);

// "17 frames not decoded: 12 IPv4 fragment, 5 MPLS payload other than IP"; "" when none.
std::string describe_skipped(const std::map<std::string, std::size_t>& skipped);

}  // namespace closepath::pcap
