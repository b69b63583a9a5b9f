#include "flow_builder.hpp"

namespace closepath::pcap {

FlowBuilder::FlowBuilder(const Endpoint& client, const Endpoint& server) {
  flow_.client = client;
  flow_.server = server;
}

const FlowPacket& FlowBuilder::add(std::size_t frame_index, const Frame& frame, const Segment& s) {
  auto& p = push(frame_index, frame.ts_ns, s);
  p.note = frame.comment;
  return p;
}

const FlowPacket& FlowBuilder::add(std::size_t frame_index, std::int64_t ts_ns, const Segment& s) {
  return push(frame_index, ts_ns, s);
}

FlowPacket& FlowBuilder::push(std::size_t frame_index, std::int64_t ts_ns, const Segment& s) {
  const Dir dir = s.src == flow_.client ? Dir::c2s : Dir::s2c;
  Side& me = dir == Dir::c2s ? client_ : server_;
  Side& peer = dir == Dir::c2s ? server_ : client_;
  // The SYN sets the base, whatever was seen from the side before it (a
  // stale RST from another incarnation); without one, act as if a SYN
  // preceded the side's first segment (its first byte is then 1). As
  // Wireshark does.
  if (s.flags & kSyn) {
    me.based = true;
    me.isn = s.seq;
  } else if (!me.based) {
    me.based = true;
    me.isn = s.seq - 1;
  }
  FlowPacket p;
  p.frame = frame_index;
  p.ts_ns = ts_ns;
  p.mono_ns = ts_ns;
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
  p.options = s.options;
  if (s.options.timestamps) {
    if (me.ts_val) p.ts_advance = static_cast<std::int32_t>(s.options.ts_val - *me.ts_val);
    me.ts_val = s.options.ts_val;
  }
  p.checksum_ok = s.checksum_ok;
  p.truncated = s.truncated;
  p.peer_fin = peer.fin;
  if (s.flags & kFin) me.fin = p.seq + p.len + ((s.flags & kSyn) ? 1 : 0) + 1;
  flow_.packets.push_back(std::move(p));
  return flow_.packets.back();
}

void FlowBuilder::next_incarnation() {
  client_ = {};
  server_ = {};
  flow_.incarnations.push_back(flow_.packets.size());
}

ConnectionSplitter::Key ConnectionSplitter::key_of(const Segment& s) {
  auto a = to_string(s.src), b = to_string(s.dst);
  if (b < a) std::swap(a, b);
  return {std::move(a), std::move(b)};
}

std::size_t ConnectionSplitter::add(const Segment& s) {
  const bool syn = (s.flags & kSyn) && !(s.flags & kAck);
  const bool as_before = last_ && ((s.src == last_->first && s.dst == last_->second) ||
                                   (s.src == last_->second && s.dst == last_->first));
  TrackedConnection* c = nullptr;
  if (as_before) {
    c = &out_[last_index_];
  } else {
    const auto it = current_.find(key_of(s));
    if (it != current_.end()) c = &out_[it->second];
    last_.emplace(s.src, s.dst);
  }
  if (c && syn) {
    const bool same_syn = c->info.syn_seen && s.seq == c->syn_seq;
    if ((c->info.syn_seen && !same_syn) || (c->closing && !same_syn)) c = nullptr;
  }
  if (!c) {
    out_.push_back({{s.src, s.dst, 0, syn}, syn ? s.seq : 0, false});
    current_[key_of(s)] = out_.size() - 1;
    c = &out_.back();
  } else if (syn && !c->info.syn_seen) {
    c->info.syn_seen = true;
    c->info.client = s.src;
    c->info.server = s.dst;
    c->syn_seq = s.seq;
  }
  if (s.flags & (kFin | kRst)) c->closing = true;
  ++c->info.packets;
  last_index_ = static_cast<std::size_t>(c - out_.data());
  return last_index_;
}

const FlowPacket* LiveFlow::add(std::size_t frame_index, std::int64_t ts_ns, const Segment& s) {
  if (s.src.addr != client_address_ && s.dst.addr != client_address_) return nullptr;  // as track_flow's hint
  const auto c = split_.add(s);
  const auto& info = split_.at(c).info;
  if (!builder_) {
    if (info.client.addr != client_address_) return nullptr;
    builder_.emplace(info.client, info.server);
    current_ = c;
  } else if (c != current_) {
    const auto& mine = builder_->flow();
    if (info.client != mine.client || info.server != mine.server) return nullptr;
    builder_->next_incarnation();
    current_ = c;
  }
  return &builder_->add(frame_index, ts_ns, s);
}

}  // namespace closepath::pcap
