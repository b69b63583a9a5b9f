#include "flow.hpp"

#include "decoder.hpp"
#include "flow_builder.hpp"
#include "reassembly.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>

namespace closepath::pcap {

std::string to_string(Dir d) { return d == Dir::c2s ? "c>s" : "s>c"; }
std::string to_string(Dirs d) { return d == Dirs::both ? "both" : to_string(d == Dirs::c2s ? Dir::c2s : Dir::s2c); }
std::optional<Dirs> dirs_named(const std::string& word) {
  for (Dirs d : {Dirs::c2s, Dirs::s2c, Dirs::both})
    if (to_string(d) == word) return d;
  return std::nullopt;
}

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

// Decodes frames one at a time, rebuilding fragmented datagrams, and counts
// what it could not decode.
class SegmentReader {
 public:
  std::optional<Segment> next(const Frame& frame) {
    auto one = decode(frame);
    if (one.fragment) {
      if (const auto datagram = fragments_.add(std::move(*one.fragment))) one = decode_datagram(*datagram);
    }
    if (!one.segment && !one.skipped.empty()) ++skipped_[one.skipped];
    return std::move(one.segment);
  }
  std::map<std::string, std::size_t> skipped() const {
    auto out = skipped_;
    if (const auto n = fragments_.pending_fragments()) out["IP fragments of datagrams never completed"] += n;
    return out;
  }

 private:
  Reassembler fragments_;
  std::map<std::string, std::size_t> skipped_;
};

// One reading of the capture: its connections (with a hint, only those with
// an end it matches), how many TCP segments it holds, what was not decoded.
struct Pass {
  std::vector<TrackedConnection> connections;
  std::size_t segments = 0;
  std::map<std::string, std::size_t> skipped;
};
using SegmentVisitor = std::function<bool(std::size_t frame, const Frame&, const Segment&, std::size_t connection)>;

// Reads the capture, calling `on` (when given) for each segment kept, with
// its connection's index; `on` returning false ends the reading.
Pass read_pass(const FrameSource& source, const std::optional<std::string>& hint, const SegmentVisitor& on = {}) {
  Pass out;
  SegmentReader reader;
  ConnectionSplitter split;
  source([&](std::size_t i, const Frame& f) {
    const auto seg = reader.next(f);
    if (!seg) return true;
    ++out.segments;
    if (hint && !matches_hint(seg->src, *hint) && !matches_hint(seg->dst, *hint)) return true;
    const auto c = split.add(*seg);
    return !on || on(i, f, *seg, c);
  });
  out.connections = split.take();
  out.skipped = reader.skipped();
  return out;
}

std::string listing_of(const std::vector<TrackedConnection>& connections) {
  constexpr std::size_t kListed = 20;
  std::string listing;
  for (std::size_t i = 0; i < connections.size() && i < kListed; ++i) {
    const auto& c = connections[i].info;
    listing += "\n  " + to_string(c) + " (" + std::to_string(c.packets) + " packets" + (c.syn_seen ? "" : ", no SYN") + ")";
  }
  if (connections.size() > kListed) listing += "\n  and " + std::to_string(connections.size() - kListed) + " more";
  return listing;
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

FrameSource frames_in_memory(const std::vector<Frame>& frames) {
  return [&frames](const FrameVisitor& each) {
    for (std::size_t i = 0; i < frames.size(); ++i)
      if (!each(i, frames[i])) return;
  };
}

Flow track_flow(const std::vector<Frame>& frames, const std::optional<std::string>& client_hint, bool every_incarnation) {
  return track_flow(frames_in_memory(frames), client_hint, every_incarnation);
}

namespace {

// The usual capture in one reading: its first connection (with a hint, the
// first with an end the hint matches) opens with its SYN from the hint's
// end, so it is the one picked whatever follows, and its packets (with
// `every_incarnation`, those of the later incarnations of its port pair
// too: each opens with a SYN) are built as they come. Otherwise nullopt:
// two readings decide, the first to pick the connection.
std::optional<Flow> one_reading(const FrameSource& source, const std::optional<std::string>& hint, bool every_incarnation) {
  SegmentReader reader;
  ConnectionSplitter split;
  std::size_t segments = 0, current = 0;
  std::optional<std::size_t> picked;
  std::optional<FlowBuilder> builder;
  bool unsure = false;
  source([&](std::size_t i, const Frame& f) {
    const auto seg = reader.next(f);
    if (!seg) return true;
    ++segments;
    if (hint && !matches_hint(seg->src, *hint) && !matches_hint(seg->dst, *hint)) return true;
    const auto c = split.add(*seg);
    const auto& info = split.at(c).info;
    if (!picked) {
      if (!info.syn_seen || (hint && !matches_hint(info.client, *hint))) return !(unsure = true);
      picked = current = c;
      builder.emplace(info.client, info.server);
    }
    const auto& first = split.at(*picked).info;
    if (c != *picked && !(every_incarnation && c > *picked && info.client == first.client && info.server == first.server))
      return true;
    if (c != current) builder->next_incarnation(), current = c;
    builder->add(i, f, *seg);
    return true;
  });
  if (unsure || !builder) return std::nullopt;
  Flow flow = builder->take();
  flow.skipped = reader.skipped();
  flow.other_tcp = segments - flow.packets.size();
  return flow;
}

}  // namespace

Flow track_flow(const FrameSource& source, const std::optional<std::string>& client_hint, bool every_incarnation) {
  if (auto flow = one_reading(source, client_hint, every_incarnation)) return std::move(*flow);
  const auto first = read_pass(source, client_hint);
  const auto& connections = first.connections;
  std::optional<std::size_t> pick;
  bool reversed = false;
  if (client_hint) {
    for (std::size_t i = 0; i < connections.size() && !pick; ++i)
      if (matches_hint(connections[i].info.client, *client_hint)) pick = i;
    // A capture that starts mid-connection cannot tell who connected: the hint may name either end.
    for (std::size_t i = 0; i < connections.size() && !pick; ++i)
      if (!connections[i].info.syn_seen && matches_hint(connections[i].info.server, *client_hint)) {
        pick = i;
        reversed = true;
      }
    if (!pick && first.segments)
      throw NoSuchConnection("--client " + *client_hint + " matches no connection in the capture; it holds:" +
                             listing_of(read_pass(source, std::nullopt).connections));
  } else if (!connections.empty()) {
    pick = 0;
    for (std::size_t i = 0; i < connections.size(); ++i)
      if (connections[i].info.syn_seen) {
        pick = i;
        break;
      }
  }
  if (!pick) {
    Flow none;
    none.skipped = first.skipped;
    return none;
  }
  const auto& info = connections[*pick].info;
  std::set<std::size_t> picked{*pick};
  std::size_t wanted = info.packets;
  for (std::size_t i = *pick + 1; every_incarnation && i < connections.size(); ++i)
    if (connections[i].info.client == info.client && connections[i].info.server == info.server) {
      picked.insert(i);
      wanted += connections[i].info.packets;
    }
  FlowBuilder builder(reversed ? info.server : info.client, reversed ? info.client : info.server);
  std::size_t current = *pick;
  read_pass(source, client_hint, [&](std::size_t i, const Frame& f, const Segment& s, std::size_t c) {
    if (!picked.count(c)) return true;
    if (c != current) builder.next_incarnation(), current = c;
    builder.add(i, f, s);
    return builder.size() < wanted;  // the rest of the capture holds none of it
  });
  Flow flow = builder.take();
  flow.skipped = first.skipped;
  flow.other_tcp = first.segments - flow.packets.size();
  return flow;
}

// One reading. A connection that opens with its SYN is built as it comes;
// one whose first segment is not a SYN keeps its segments until the capture
// ends, as a SYN later may name its client (and so the direction of each).
Flows track_flows(const FrameSource& source) {
  struct Kept {
    std::size_t frame;
    Frame header;  // its time and comment
    Segment segment;
  };
  std::vector<std::optional<FlowBuilder>> builders;
  std::map<std::size_t, std::vector<Kept>> waiting;
  SegmentReader reader;
  ConnectionSplitter split;
  std::size_t segments = 0;
  source([&](std::size_t i, const Frame& f) {
    const auto seg = reader.next(f);
    if (!seg) return true;
    ++segments;
    const auto c = split.add(*seg);
    if (c == builders.size()) {  // a new connection
      const auto& info = split.at(c).info;
      builders.emplace_back();
      if (info.syn_seen) builders.back().emplace(info.client, info.server);
    }
    if (builders[c]) builders[c]->add(i, f, *seg);
    else waiting[c].push_back({i, Frame{f.ts_ns, f.interface, {}, f.comment, f.link_type, f.original_length}, *seg});
    return true;
  });
  for (auto& [c, kept] : waiting) {
    const auto& info = split.at(c).info;
    builders[c].emplace(info.client, info.server);
    for (const auto& k : kept) builders[c]->add(k.frame, k.header, k.segment);
  }
  Flows out;
  out.skipped = reader.skipped();
  for (auto& b : builders) {
    out.flows.push_back(b->take());
    out.flows.back().skipped = out.skipped;
    out.flows.back().other_tcp = segments - out.flows.back().packets.size();
  }
  return out;
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
