#include "state_inference.hpp"

#include <deque>
#include <map>
#include <optional>
#include <tuple>

namespace closepath::pcap {
namespace {

using S = TcpState;

class End {
 public:
  End(bool server, std::vector<StateChange>& out) : state_(server ? S::listen : S::close), out_(out) {}

  // A capture that begins mid-connection: the end is synchronized, in a
  // state the capture cannot name. It is taken as ESTABLISHED without
  // saying so (nothing is recorded), its receive point set by the first
  // segment that reaches it, and only the changes the capture shows are
  // recorded from there.
  void joined_mid_connection() {
    state_ = S::established;
    mid_connection_ = true;
  }

  // `answered`: p is a bare RST whose segment reset_answering() has taken.
  void sent(const FlowPacket& p, std::size_t i, bool answered = false) {
    const std::uint32_t end = p.seq + p.len + ((p.flags & kSyn) ? 1 : 0) + ((p.flags & kFin) ? 1 : 0);
    if (!snd_known_ || after(end, snd_nxt_)) snd_nxt_ = end;
    snd_known_ = true;
    // The end's own ACK says how far it has received: what the capture
    // missed, or what arrived out of order and waited, is consumed by now
    // (a FIN among it included).
    if (mid_connection_ && !rcv_known_ && (p.flags & kAck)) {  // joined late: its ACK says where it is
      rcv_nxt_ = p.ack;
      rcv_known_ = true;
    }
    if ((p.flags & kAck) && !(p.flags & kRst) && rcv_known_ && after(p.ack, rcv_nxt_)) {
      rcv_nxt_ = p.ack;
      if (!fin_in_ && p.peer_fin && !after(p.peer_fin, p.ack)) fin_arrived(i);
    }
    if (p.flags & kRst) {
      // TIME_WAIT too: a time-wait socket answers what it does not expect
      // with an ACK; one that sends a RST is a closed socket's FIN_WAIT2
      // stand-in meeting data after close() (Linux: TCP_TW_RST), and is gone.
      if (!answered && (synchronized() || state_ == S::syn_sent || state_ == S::syn_recv || state_ == S::time_wait))
        enter(S::close, i);
      return;
    }
    if ((p.flags & kSyn) && !(p.flags & kAck) && state_ == S::close) {
      syn_end_ = 1 + p.len;  // TCP Fast Open: data on the SYN
      enter(S::syn_sent, i);
    }
    if ((p.flags & kSyn) && (p.flags & kAck) && state_ == S::listen) {
      if (p.ack > 1) enter(S::syn_recv, i);  // TCP Fast Open: the SYN's data made the socket
      else request_ = true;                // the listener's request socket answers
    }
    if (p.flags & kFin) {
      fin_seq_ = p.seq + p.len + ((p.flags & kSyn) ? 1 : 0);
      if (state_ == S::established || state_ == S::syn_recv) enter(S::fin_wait1, i);
      else if (state_ == S::close_wait) enter(S::last_ack, i);
    }
  }

  void received(const FlowPacket& p, std::size_t i) {
    if ((p.flags & kRst) && request_) {  // the request socket goes, the listener stays
      if (rcv_known_ && p.seq == rcv_nxt_) request_ = false;
      return;
    }
    if (p.flags & kRst) {
      if (takes_reset(p)) enter(S::close, i);
      return;
    }
    if (p.flags & kSyn) {
      if (state_ == S::syn_sent && (p.flags & kAck) && acks_our_syn(p)) {
        rcv_nxt_ = p.seq + 1;
        rcv_known_ = true;
        enter(S::established, i);
      } else if (state_ == S::listen && !(p.flags & kAck)) {
        rcv_nxt_ = p.seq + 1;
        rcv_known_ = true;
      }
      return;
    }
    // An ACK of what this end never sent: Linux drops the segment, its data
    // and FIN with it (RFC 793 3.9; tcp_ack()).
    if ((p.flags & kAck) && synchronized() && snd_known_ && after(p.ack, snd_nxt_)) return;
    if (p.flags & kAck) {
      if (request_ && p.ack >= 1) {  // the handshake's last ACK makes the connection socket
        request_ = false;
        enter(S::syn_recv, i);
      }
      if (state_ == S::syn_recv && p.ack >= 1) enter(S::established, i);
      if (fin_seq_ && p.ack > *fin_seq_) {
        if (state_ == S::fin_wait1) enter(S::fin_wait2, i);
        else if (state_ == S::closing) enter(S::time_wait, i);
        else if (state_ == S::last_ack) enter(S::close, i);
      }
    }
    // Out of order: not consumed now; the receiver's own ACK will say when it was.
    if (!rcv_known_ && mid_connection_) {
      rcv_nxt_ = p.seq;
      rcv_known_ = true;
    }
    if (!rcv_known_ || p.seq != rcv_nxt_) return;
    rcv_nxt_ += p.len;
    if (p.flags & kFin) {
      rcv_nxt_ += 1;
      fin_arrived(i);
    }
  }

  // Whether a RST would close this end now. TIME_WAIT too: Linux ends a
  // time-wait socket on a RST at RCV.NXT (net.ipv4.tcp_rfc1337 = 0, its
  // default: "TIME_WAIT assassination").
  bool takes_reset(const FlowPacket& p) const {
    if (request_) return false;
    return state_ == S::syn_sent ? ((p.flags & kAck) && acks_our_syn(p))
                                 : ((synchronized() || state_ == S::time_wait) && rcv_known_ && p.seq == rcv_nxt_);
  }

  // Whether a live socket here would answer x with a bare RST: SYN_SENT to
  // an ACK not for its SYN; a closed socket's FIN_WAIT or time-wait stand-in
  // to new data; nothing at all (CLOSE, or a listener with no request).
  bool draws_reset(const FlowPacket& x) const {
    if (state_ == S::close) return true;
    if (state_ == S::listen) return !request_;
    if (state_ == S::syn_sent) return !((x.flags & kSyn) && (x.flags & kAck) && acks_our_syn(x));
    const bool closed = fin_seq_ && (state_ == S::fin_wait1 || state_ == S::fin_wait2 || state_ == S::closing || state_ == S::time_wait);
    return closed && x.len > 0 && rcv_known_ && after(x.seq + x.len, rcv_nxt_);
  }

  // x drew a bare RST (packet `rst`) from this end: as draws_reset() says
  // (`expected`), or, for a segment a live socket would have taken, because
  // no socket was there. x is not taken in either way.
  // `xi`: x's index. Linux takes x's ACK first: one for our FIN moves FIN_WAIT1
  // to FIN_WAIT2, and only then does the data end the socket (tcp_rcv_state_process).
  void reset_answering(const FlowPacket& x, std::size_t xi, std::size_t rst, bool expected) {
    if (state_ == S::close || state_ == S::listen) return;  // nothing before, nothing after
    if (state_ == S::syn_sent && expected) return;          // an ACK not for its SYN: the socket stays
    if (expected && state_ == S::fin_wait1 && (x.flags & kAck) && fin_seq_ && after(x.ack, *fin_seq_)) enter(S::fin_wait2, xi);
    const auto frame = "frame " + std::to_string(x.frame + 1);
    enter(S::close, rst, expected ? "data after close() reached it (" + frame + "): a bare RST, and the socket is gone"
                                 : "no socket took " + frame + ": a bare RST answered it");
  }

 private:
  bool synchronized() const {
    return state_ != S::close && state_ != S::listen && state_ != S::syn_sent && state_ != S::syn_recv &&
           state_ != S::time_wait;
  }
  // The SYN-ACK (or a RST) acknowledges our SYN, and with TCP Fast Open any
  // of the data it carried: from 1 to 1 + its length.
  bool acks_our_syn(const FlowPacket& p) const { return p.ack >= 1 && p.ack <= syn_end_; }
  static bool after(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) > 0; }
  void fin_arrived(std::size_t i) {
    fin_in_ = true;
    if (state_ == S::established) enter(S::close_wait, i);
    else if (state_ == S::fin_wait1) enter(S::closing, i);
    else if (state_ == S::fin_wait2) enter(S::time_wait, i);
  }
  void enter(TcpState s, std::size_t i, std::string why = {}) {
    state_ = s;
    out_.push_back({s, i, std::move(why)});
  }

  TcpState state_;
  std::vector<StateChange>& out_;
  std::uint32_t rcv_nxt_ = 0;
  bool rcv_known_ = false;
  std::uint32_t snd_nxt_ = 0;  // relative seq just past what this end has sent, as the capture shows
  bool snd_known_ = false;
  std::optional<std::uint32_t> fin_seq_;  // relative seq of our FIN
  std::uint32_t syn_end_ = 1;             // relative seq just past our SYN and the data it carried
  bool fin_in_ = false;                   // the peer's FIN has been consumed
  bool mid_connection_ = false;           // the capture began after the handshake
  bool request_ = false;                  // a server whose SYN-ACK is out, its connection socket not yet made
};

}  // namespace

namespace {

std::uint32_t end_seq(const FlowPacket& p) {
  return p.seq + p.len + ((p.flags & kSyn) ? 1 : 0) + ((p.flags & kFin) ? 1 : 0);
}

// Packets in flight toward each end, and how they arrive. A packet reaches
// its receiver no later than the receiver's next packet that acknowledges
// it; one it does not acknowledge crossed it on the wire (simultaneous
// close) and is delivered after it. A packet without ACK (SYN, bare RST)
// answers everything before it.
class InFlight {
 public:
  explicit InFlight(const std::vector<FlowPacket>& packets) : packets_(packets) {}

  // The packets travelling `dir` (c2s: on their way to the server).
  std::deque<std::size_t>& toward(Dir dir) { return dir == Dir::c2s ? to_server_ : to_client_; }

  // What `end` has received by the time it sends `answer` (nullptr: everything in flight).
  // A RST that would have closed the end had not reached it when it sent
  // `answer`: a closed socket sends nothing. (An ACK proves nothing of a RST,
  // which takes no sequence space: the two crossed on the wire.)
  void deliver(End& end, std::deque<std::size_t>& queue, const FlowPacket* answer) {
    std::size_t count = queue.size();
    if (answer && (answer->flags & kAck)) {
      count = 0;
      for (std::size_t k = 0; k < queue.size(); ++k)
        if (end_seq(packets_[queue[k]]) <= answer->ack) count = k + 1;
    }
    std::size_t k = 0;
    for (; k < count; ++k) {
      const auto& x = packets_[queue[k]];
      if (answer && (x.flags & kRst) && end.takes_reset(x)) break;
      end.received(x, queue[k]);
    }
    queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(k));
  }

  // A bare RST answers one segment in flight, one whose ACK its seq repeats:
  // the first a live socket would reset, else the last there is, which then
  // met no socket. What came before it arrived first. False: none in flight.
  bool deliver_to_reset(End& end, std::deque<std::size_t>& queue, const FlowPacket& rst, std::size_t rst_index) {
    std::optional<std::size_t> last;
    for (std::size_t k = 0; k < queue.size(); ++k)
      if (const auto& x = packets_[queue[k]]; (x.flags & kAck) && x.ack == rst.seq) last = k;
    if (!last) return false;
    for (std::size_t k = 0;; ++k) {
      const auto& x = packets_[queue[k]];
      const bool expected = end.draws_reset(x);
      if ((x.flags & kAck) && x.ack == rst.seq && (expected || k == *last)) {
        end.reset_answering(x, queue[k], rst_index, expected);
        queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(k + 1));
        return true;
      }
      end.received(x, queue[k]);
    }
  }

  // What is still in flight when the capture ends arrived, unless its sender
  // sent it again: a sender repeats a segment because no ACK came, and a
  // FIN retransmitted until the capture stops is no evidence of arrival.
  void deliver_the_rest(End& client, End& server) {
    std::map<std::tuple<Dir, std::uint32_t, std::uint32_t>, std::size_t> copies;  // (dir, seq, end) -> times sent
    for (const auto& p : packets_)
      if (end_seq(p) != p.seq) ++copies[{p.dir, p.seq, end_seq(p)}];
    auto repeated = [&](std::size_t k) {
      const auto& p = packets_[k];
      return end_seq(p) != p.seq && copies[{p.dir, p.seq, end_seq(p)}] > 1;
    };
    for (auto* queue : {&to_client_, &to_server_}) std::erase_if(*queue, repeated);
    deliver(client, to_client_, nullptr);
    deliver(server, to_server_, nullptr);
  }

 private:
  const std::vector<FlowPacket>& packets_;
  std::deque<std::size_t> to_client_, to_server_;
};

}  // namespace

InferredStates infer_states(const std::vector<FlowPacket>& packets) {
  InferredStates result;
  End client(false, result.client), server(true, result.server);
  if (!packets.empty() && !(packets.front().flags & kSyn)) {
    result.starts_unknown = true;
    client.joined_mid_connection();
    server.joined_mid_connection();
  }
  InFlight flight(packets);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const auto& p = packets[i];
    const bool from_client = p.dir == Dir::c2s;
    if (!p.injected) {  // the wire's own packets have no sender to move
      End& end = from_client ? client : server;
      auto& queue = flight.toward(from_client ? Dir::s2c : Dir::c2s);  // what is on its way to this sender
      const bool bare_rst = (p.flags & kRst) && !(p.flags & kAck);
      const bool answered = bare_rst && flight.deliver_to_reset(end, queue, p, i);
      if (!answered) flight.deliver(end, queue, &p);
      end.sent(p, i, answered);
    }
    if (p.delivered) flight.toward(p.dir).push_back(i);
  }
  flight.deliver_the_rest(client, server);
  return result;
}

InferredStates infer_states(const std::vector<FlowPacket>& packets, const std::vector<std::size_t>& incarnations) {
  if (incarnations.empty()) return infer_states(packets);
  std::vector<std::size_t> bounds{0};
  bounds.insert(bounds.end(), incarnations.begin(), incarnations.end());
  bounds.push_back(packets.size());
  InferredStates result;
  for (std::size_t k = 0; k + 1 < bounds.size(); ++k) {
    const auto from = bounds[k];
    for (auto* side : {&result.client, &result.server})
      if (k > 0 && !side->empty() && side->back().state == S::time_wait) side->push_back({S::close, from, {}});
    const std::vector<FlowPacket> slice(packets.begin() + static_cast<std::ptrdiff_t>(from),
                                        packets.begin() + static_cast<std::ptrdiff_t>(bounds[k + 1]));
    auto part = infer_states(slice);
    if (k == 0) result.starts_unknown = part.starts_unknown;
    for (auto [whole, piece] : {std::pair{&result.client, &part.client}, std::pair{&result.server, &part.server}})
      for (auto change : *piece) {
        change.packet += from;
        whole->push_back(change);
      }
  }
  return result;
}

std::vector<std::string> state_names(const std::vector<StateChange>& changes) {
  std::vector<std::string> names;
  for (const auto& c : changes) names.push_back(state_text(c.state));
  return names;
}

}  // namespace closepath::pcap
