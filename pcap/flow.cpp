#include "flow.hpp"

#include "decoder.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

namespace closepath::pcap {

std::string to_string(Dir d) { return d == Dir::c2s ? "c>s" : "s>c"; }
std::string to_string(Dirs d) { return d == Dirs::both ? "both" : to_string(d == Dirs::c2s ? Dir::c2s : Dir::s2c); }

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

std::vector<std::pair<std::size_t, Segment>> decode_all(const std::vector<Frame>& frames) {
  std::vector<std::pair<std::size_t, Segment>> segments;
  for (std::size_t i = 0; i < frames.size(); ++i)
    if (auto s = decode_frame(frames[i])) segments.emplace_back(i, *s);
  return segments;
}

// Every TCP connection, in the order of its first packet. The client is the
// sender of the SYN without ACK where one was captured, else the sender of
// the first packet.
std::vector<Connection> connections_of(const std::vector<std::pair<std::size_t, Segment>>& segments) {
  std::vector<Connection> out;
  for (const auto& entry : segments) {
    const Segment& s = entry.second;  // (clang 14 cannot capture a structured binding)
    auto it = std::find_if(out.begin(), out.end(), [&](const Connection& c) {
      return (c.client == s.src && c.server == s.dst) || (c.client == s.dst && c.server == s.src);
    });
    const bool syn = (s.flags & kSyn) && !(s.flags & kAck);
    if (it == out.end()) {
      out.push_back({s.src, s.dst, 0, syn});
      it = out.end() - 1;
    } else if (syn && !it->syn_seen) {  // a SYN after a stray first packet names the client
      it->syn_seen = true;
      it->client = s.src;
      it->server = s.dst;
    }
    ++it->packets;
  }
  return out;
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
  const auto segments = decode_all(frames);
  const auto connections = connections_of(segments);
  Flow flow;
  if (connections.empty()) return flow;

  const Connection* pick = nullptr;
  if (client_hint) {
    for (const auto& c : connections)
      if (matches_hint(c.client, *client_hint)) {
        pick = &c;
        break;
      }
    // A capture that starts mid-connection cannot tell who connected: the hint may name either end.
    if (!pick)
      for (const auto& c : connections)
        if (!c.syn_seen && matches_hint(c.server, *client_hint)) {
          flow.client = c.server;
          flow.server = c.client;
          pick = &c;
          break;
        }
    if (!pick) {
      std::string listing;
      for (const auto& c : connections)
        listing += "\n  " + to_string(c) + " (" + std::to_string(c.packets) + " packets" + (c.syn_seen ? "" : ", no SYN") + ")";
      throw NoSuchConnection("--client " + *client_hint + " matches no connection in the capture; it holds:" + listing);
    }
  } else {
    pick = &connections.front();
    for (const auto& c : connections)
      if (c.syn_seen) {
        pick = &c;
        break;
      }
  }
  if (flow.client.addr.empty()) {
    flow.client = pick->client;
    flow.server = pick->server;
  }

  Side client, server;
  std::uint32_t client_fin = 0, server_fin = 0;  // each side's FIN so far: its relative seq + 1
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
    p.peer_fin = dir == Dir::c2s ? server_fin : client_fin;
    if (s.flags & kFin) (dir == Dir::c2s ? client_fin : server_fin) = p.seq + p.len + ((s.flags & kSyn) ? 1 : 0) + 1;
    flow.packets.push_back(std::move(p));
  }
  return flow;
}

}  // namespace closepath::pcap
