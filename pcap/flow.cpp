#include "flow.hpp"

#include "decoder.hpp"

namespace closepath::pcap {

std::string to_string(Dir d) { return d == Dir::c2s ? "c>s" : "s>c"; }

std::string describe(const FlowPacket& p) {
  std::string s = to_string(p.dir) + " " + flag_letters(p.flags) + " seq " + std::to_string(p.seq);
  if (p.flags & kAck) s += " ack " + std::to_string(p.ack);
  s += " len " + std::to_string(p.len);
  return s;
}

namespace {

bool matches_hint(const Endpoint& e, const std::string& hint) {
  return hint == e.addr || hint == to_string(e);
}

struct Side {
  bool based = false;
  std::uint32_t isn = 0;
};

}  // namespace

Flow track_flow(const std::vector<Frame>& frames, const std::optional<std::string>& client_hint) {
  std::vector<std::pair<std::size_t, Segment>> segments;
  for (std::size_t i = 0; i < frames.size(); ++i)
    if (auto s = decode_ethernet(frames[i].bytes)) segments.emplace_back(i, *s);

  Flow flow;
  if (segments.empty()) return flow;

  const Segment* pick = nullptr;
  for (const auto& [i, s] : segments)
    if ((s.flags & kSyn) && !(s.flags & kAck) && (!client_hint || matches_hint(s.src, *client_hint))) {
      pick = &s;
      break;
    }
  if (pick) {
    flow.client = pick->src;
    flow.server = pick->dst;
  } else {
    const Segment& first = segments.front().second;
    const bool first_is_client = !client_hint || matches_hint(first.src, *client_hint) ||
                                 !matches_hint(first.dst, *client_hint);
    flow.client = first_is_client ? first.src : first.dst;
    flow.server = first_is_client ? first.dst : first.src;
  }

  Side client, server;
  for (const auto& [i, s] : segments) {
    Dir dir;
    if (s.src == flow.client && s.dst == flow.server) dir = Dir::c2s;
    else if (s.src == flow.server && s.dst == flow.client) dir = Dir::s2c;
    else { ++flow.other_tcp; continue; }

    Side& me = dir == Dir::c2s ? client : server;
    Side& peer = dir == Dir::c2s ? server : client;
    if (!me.based) {
      // The SYN sets the base; without one, act as if a SYN preceded this
      // segment (its first byte is then 1), as Wireshark does.
      me.based = true;
      me.isn = (s.flags & kSyn) ? s.seq : s.seq - 1;
    }
    FlowPacket p;
    p.frame = i;
    p.ts_ns = frames[i].ts_ns;
    p.mono_ns = frames[i].ts_ns;
    p.dir = dir;
    p.flags = s.flags;
    p.len = s.payload_len;
    p.seq = s.seq - me.isn;
    if (s.flags & kAck) {
      if (!peer.based) {  // e.g. a RST answering a SYN: the ack names the peer's ISN + 1
        peer.based = true;
        peer.isn = s.ack - 1;
      }
      p.ack = s.ack - peer.isn;
    }
    p.window = s.window;
    p.checksum_ok = s.checksum_ok;
    p.note = frames[i].comment;
    flow.packets.push_back(std::move(p));
  }
  return flow;
}

}  // namespace closepath::pcap
