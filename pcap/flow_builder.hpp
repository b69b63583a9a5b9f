// The one place a FlowPacket is made. Every reader of packets - the live
// judge, offline check and show, the wire's faults and barriers - gets them
// from these builders, so a pattern word (win, mss, ack fin, ...) reads the
// same field wherever it is written.
#pragma once

#include "flow.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace closepath::pcap {

// One connection's packets as they come, numbered relative to each side's
// ISN as Wireshark numbers them (the SYN has seq 0; a side whose SYN was not
// seen counts from 1 at its first segment).
class FlowBuilder {
 public:
  FlowBuilder(const Endpoint& client, const Endpoint& server);
  // The packet `s` makes; `frame_index` is its frame's place in the capture.
  // The packet's note is the frame's comment.
  const FlowPacket& add(std::size_t frame_index, const Frame& frame, const Segment& s);
  // The same for a frame known only by its time (the live wire).
  const FlowPacket& add(std::size_t frame_index, std::int64_t ts_ns, const Segment& s);
  std::size_t size() const { return flow_.packets.size(); }
  // The port pair's next connection begins: numbering and FINs start afresh.
  void next_incarnation();
  const Flow& flow() const { return flow_; }
  Flow take() { return std::move(flow_); }

 private:
  FlowPacket& push(std::size_t frame_index, std::int64_t ts_ns, const Segment& s);
  struct Side {
    bool based = false;
    std::uint32_t isn = 0;
    std::uint32_t fin = 0;  // its FIN so far: relative seq + 1; 0 when none
    std::optional<std::uint32_t> ts_val;  // the TSval of its last segment that had one
  };
  Flow flow_;
  Side client_, server_;
};

// A connection while the capture is read, and what tells a reuse of its
// port pair apart from its own packets.
struct TrackedConnection {
  Connection info;
  std::uint32_t syn_seq = 0;  // the client's SYN, when seen
  bool closing = false;       // a FIN or RST was seen
};

// Every TCP connection, in the order of its first packet. The client is the
// sender of the SYN without ACK where one was captured, else the sender of
// the first packet. A SYN with a new sequence number on a port pair already
// seen, or any SYN after a FIN or RST there, starts a new connection (as
// Wireshark starts a new stream); a SYN after stray packets of a connection
// whose SYN was not captured names its client.
class ConnectionSplitter {
 public:
  // The index of the segment's connection.
  std::size_t add(const Segment& s);
  const TrackedConnection& at(std::size_t i) const { return out_[i]; }
  std::vector<TrackedConnection> take() { return std::move(out_); }

 private:
  using Key = std::pair<std::string, std::string>;  // the endpoints as text, ordered
  static Key key_of(const Segment& s);
  std::vector<TrackedConnection> out_;
  std::map<Key, std::size_t> current_;  // -> index in out_
  // The last segment's ends and connection: most segments follow one of
  // their own connection, and find it without a key made.
  std::optional<std::pair<Endpoint, Endpoint>> last_;
  std::size_t last_index_ = 0;
};

// One run's connection as its frames come, one at a time: the first
// connection whose client has `client_address` and every later incarnation
// of its port pair, numbered exactly as track_flow(frames, client_address,
// true) numbers them from the whole capture.
class LiveFlow {
 public:
  explicit LiveFlow(std::string client_address) : client_address_(std::move(client_address)) {}
  // The packet the segment makes, or nullptr when it belongs to another connection.
  const FlowPacket* add(std::size_t frame_index, std::int64_t ts_ns, const Segment& s);

 private:
  std::string client_address_;
  ConnectionSplitter split_;
  std::optional<FlowBuilder> builder_;
  std::size_t current_ = 0;  // the splitter's index of the incarnation being built
};

}  // namespace closepath::pcap
