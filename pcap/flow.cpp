#include "flow.hpp"

#include "decoder.hpp"
#include "reassembly.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <map>

namespace closepath::pcap {

std::string to_string(Dir d) { return d == Dir::c2s ? "c>s" : "s>c"; }
std::string to_string(Dirs d) { return d == Dirs::both ? "both" : to_string(d == Dirs::c2s ? Dir::c2s : Dir::s2c); }

std::string describe(const FlowPacket& p) {
  std::string s = to_string(p.dir) + " " + flag_letters(p.flags) + " seq " + std::to_string(p.seq);
  if (p.flags & kAck) s += " ack " + std::to_string(p.ack);
  s += " len " + std::to_string(p.len);
  return s;
}

std::string frame_label(const FlowPacket& p) {
  return "frame " + std::to_string(p.frame + 1) + " (" + describe(p) + ")";
}

namespace {

bool matches_hint(const Endpoint& e, const std::string& hint) {
  return hint == e.addr || hint == to_string(e);
}

struct Capture {
  std::vector<std::pair<std::size_t, Segment>> segments;  // (frame index, segment)
  std::map<std::string, std::size_t> skipped;
};

Capture decode_all(const std::vector<Frame>& frames) {
  Capture d;
  Reassembler fragments;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    auto one = decode(frames[i]);
    if (one.fragment) {
      if (const auto datagram = fragments.add(std::move(*one.fragment))) one = decode_datagram(*datagram);
    }
    if (one.segment) d.segments.emplace_back(i, std::move(*one.segment));
    else if (!one.skipped.empty()) ++d.skipped[one.skipped];
  }
  if (const auto n = fragments.pending_fragments()) d.skipped["IP fragments of datagrams never completed"] += n;
  return d;
}

// A connection while the capture is read: its segments, and what tells a
// reuse of its port pair apart from its own packets.
struct Tracked {
  Connection info;
  std::vector<std::size_t> members;  // indices into the segments
  std::uint32_t syn_seq = 0;         // the client's SYN, when seen
  bool closing = false;              // a FIN or RST was seen
};

// Every TCP connection, in the order of its first packet. The client is the
// sender of the SYN without ACK where one was captured, else the sender of
// the first packet. A SYN with a new sequence number on a port pair already
// seen, or any SYN after a FIN or RST there, starts a new connection (as
// Wireshark starts a new stream); a SYN after stray packets of a connection
// whose SYN was not captured names its client.
std::vector<Tracked> connections_of(const std::vector<std::pair<std::size_t, Segment>>& segments) {
  std::vector<Tracked> out;
  std::map<std::pair<std::string, std::string>, std::size_t> current;  // ordered endpoint pair -> index in out
  for (std::size_t n = 0; n < segments.size(); ++n) {
    const Segment& s = segments[n].second;
    auto a = to_string(s.src), b = to_string(s.dst);
    if (b < a) std::swap(a, b);
    const bool syn = (s.flags & kSyn) && !(s.flags & kAck);
    auto it = current.find({a, b});
    Tracked* c = it == current.end() ? nullptr : &out[it->second];
    if (c && syn) {
      const bool same_syn = c->info.syn_seen && s.seq == c->syn_seq;
      if ((c->info.syn_seen && !same_syn) || (c->closing && !same_syn)) c = nullptr;
    }
    if (!c) {
      out.push_back({{s.src, s.dst, 0, syn}, {}, syn ? s.seq : 0, false});
      current[{a, b}] = out.size() - 1;
      c = &out.back();
    } else if (syn && !c->info.syn_seen) {
      c->info.syn_seen = true;
      c->info.client = s.src;
      c->info.server = s.dst;
      c->syn_seq = s.seq;
    }
    if (s.flags & (kFin | kRst)) c->closing = true;
    c->members.push_back(n);
    ++c->info.packets;
  }
  return out;
}

struct Side {
  bool based = false;
  std::uint32_t isn = 0;
};

// One connection's packets, numbered relative to each side's ISN.
Flow build_flow(const std::vector<Frame>& frames, const Capture& decoded, const Tracked& conn, const Endpoint& client,
                const Endpoint& server) {
  Flow flow;
  flow.client = client;
  flow.server = server;
  flow.skipped = decoded.skipped;
  flow.other_tcp = decoded.segments.size() - conn.members.size();
  Side c, srv;
  std::uint32_t client_fin = 0, server_fin = 0;  // each side's FIN so far: its relative seq + 1
  for (const auto n : conn.members) {
    const auto& [i, s] = decoded.segments[n];
    const Dir dir = s.src == client ? Dir::c2s : Dir::s2c;
    Side& me = dir == Dir::c2s ? c : srv;
    Side& peer = dir == Dir::c2s ? srv : c;
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
    p.truncated = s.truncated;
    p.note = frames[i].comment;
    p.peer_fin = dir == Dir::c2s ? server_fin : client_fin;
    if (s.flags & kFin) (dir == Dir::c2s ? client_fin : server_fin) = p.seq + p.len + ((s.flags & kSyn) ? 1 : 0) + 1;
    flow.packets.push_back(std::move(p));
  }
  return flow;
}

}  // namespace

std::string to_string(const Connection& c) {
  return "client " + to_string(c.client) + " -> server " + to_string(c.server);
}

void check_client_hint(const std::string& hint) {
  std::string addr = hint, port;
  if (!hint.empty() && hint.front() == '[') {  // [v6]:port
    const auto close = hint.find("]:");
    if (close == std::string::npos) throw std::invalid_argument("write [IPV6]:PORT");
    addr = hint.substr(1, close - 1);
    port = hint.substr(close + 2);
  } else if (std::count(hint.begin(), hint.end(), ':') == 1) {  // v4:port
    addr = hint.substr(0, hint.find(':'));
    port = hint.substr(hint.find(':') + 1);
  }
  std::array<unsigned char, 16> raw{};
  const bool v4 = inet_pton(AF_INET, addr.c_str(), raw.data()) == 1;
  const bool v6 = !v4 && inet_pton(AF_INET6, addr.c_str(), raw.data()) == 1;
  if (!v4 && !v6) throw std::invalid_argument("'" + hint + "' is not an address (write ADDR, ADDR:PORT or [IPV6]:PORT)");
  if (!port.empty() && (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) < 1 ||
                        std::stoi(port) > 65535))
    throw std::invalid_argument("'" + hint + "': the port must be a number from 1 to 65535");
}

Flow track_flow(const std::vector<Frame>& frames, const std::optional<std::string>& client_hint) {
  const auto decoded = decode_all(frames);
  const auto connections = connections_of(decoded.segments);
  if (connections.empty()) {
    Flow none;
    none.skipped = decoded.skipped;
    return none;
  }
  const Tracked* pick = nullptr;
  bool reversed = false;
  if (client_hint) {
    for (const auto& c : connections)
      if (matches_hint(c.info.client, *client_hint)) {
        pick = &c;
        break;
      }
    // A capture that starts mid-connection cannot tell who connected: the hint may name either end.
    if (!pick)
      for (const auto& c : connections)
        if (!c.info.syn_seen && matches_hint(c.info.server, *client_hint)) {
          pick = &c;
          reversed = true;
          break;
        }
    if (!pick) {
      std::string listing;
      for (const auto& c : connections)
        listing += "\n  " + to_string(c.info) + " (" + std::to_string(c.info.packets) + " packets" +
                   (c.info.syn_seen ? "" : ", no SYN") + ")";
      throw NoSuchConnection("--client " + *client_hint + " matches no connection in the capture; it holds:" + listing);
    }
  } else {
    pick = &connections.front();
    for (const auto& c : connections)
      if (c.info.syn_seen) {
        pick = &c;
        break;
      }
  }
  return reversed ? build_flow(frames, decoded, *pick, pick->info.server, pick->info.client)
                  : build_flow(frames, decoded, *pick, pick->info.client, pick->info.server);
}

std::vector<Flow> track_flows(const std::vector<Frame>& frames) {
  const auto decoded = decode_all(frames);
  std::vector<Flow> flows;
  for (const auto& c : connections_of(decoded.segments))
    flows.push_back(build_flow(frames, decoded, c, c.info.client, c.info.server));
  return flows;
}


std::string describe_skipped(const std::map<std::string, std::size_t>& skipped) {
  std::size_t total = 0;
  std::string reasons;
  for (const auto& [why, count] : skipped) {
    total += count;
    reasons += (reasons.empty() ? "" : ", ") + std::to_string(count) + " " + why;
  }
  return total == 0 ? "" : std::to_string(total) + (total == 1 ? " frame" : " frames") + " not decoded: " + reasons;
}

}  // namespace closepath::pcap
