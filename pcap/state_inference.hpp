// Infers each end's TCP state sequence from a capture by replaying the
// RFC 9293 state machine the way Linux applies it: for every packet, the
// sender's transition on sending it and the receiver's on receiving it. A
// packet is received no later than the receiver's next packet that
// acknowledges it; one that the receiver's packet does not acknowledge
// crossed it on the wire (FINs crossing make CLOSING). Details that follow
// Linux rather than the RFC:
// - an ACK is processed before the FIN it carries, so FIN_WAIT1 receiving
//   "F." that acks our FIN passes FIN_WAIT2 on the way to TIME_WAIT;
// - a RST is accepted only when its seq is exactly RCV.NXT (RFC 5961), or,
//   in SYN_SENT, when it acks our SYN;
// - the server's connection socket exists only once it answers a SYN with
//   SYN-ACK: a server that answers with RST has no states.
// A packet the wire dropped moves only its sender; one the wire injected
// moves only its receiver.
// - an end's own ACK beyond what it was seen to receive means it received
//   it: a segment the capture missed, or one that arrived out of order and
//   waited, counts as consumed then (its FIN included), so one lost packet
//   does not freeze the end for the rest of the connection;
// - TCP Fast Open: a SYN-ACK may acknowledge the SYN's data as well;
// - an end in TIME_WAIT that sends a RST closes: after close() a FIN_WAIT2
//   socket lives on as a time-wait socket, and data (or data with a FIN)
//   reaching it is answered with a RST that ends it (TCP_TW_RST).
// - a segment still unacknowledged when the capture ends arrived, unless the
//   capture shows it sent more than once (a sender retransmits for want of
//   an ACK: a FIN retransmitted until the capture stops did not arrive).
// - a bare RST (no ACK flag) answers one segment, the one whose ACK its seq
//   repeats. A Linux socket sends one only from SYN_SENT (to an ACK that is
//   not for its SYN; the socket stays) or after close(), when data reaches
//   its FIN_WAIT socket or time-wait stand-in (which is then gone); when
//   the segment it answers is one a live socket would have taken (a
//   SYN-ACK for its SYN, a FIN in FIN_WAIT2, ...), no socket was there: the
//   end had closed without a packet, and is CLOSE from the RST on;
// - a server's connection socket exists once the handshake's last ACK (or
//   anything acknowledging its SYN-ACK) reaches it: before, only the
//   listener's request socket answers, which the kernel does not trace and
//   a RST ends without a state; with TCP Fast Open (a SYN-ACK acknowledging
//   the SYN's data) the socket exists from the SYN;
// - a capture that begins mid-connection (no SYN first) says nothing of
//   where each end was (starts_unknown); the changes it shows are recorded
//   from there (e.g. [FIN_WAIT1, FIN_WAIT2, TIME_WAIT]).
// - a RST that would close an end has not reached it while the end still
//   sends: a packet the end sent after the RST was captured crossed it on
//   the wire (a closed socket sends nothing, and an ACK cannot acknowledge
//   a RST), so the RST arrives after it (openssl s_client's last write and
//   its FIN, back to back, crossing the server's bare RST).
// Limits: no timers (TIME_WAIT is where the capture leaves a socket, not CLOSE).
#pragma once

#include "flow.hpp"
#include "tcp_states.hpp"

#include <string>
#include <vector>

namespace closepath::pcap {

struct StateChange {
  TcpState state = TcpState::close;  // entered
  std::size_t packet = 0; // index into flow.packets that caused it (or, `why` says, showed it)
  std::string why{};      // when the packet only shows it: "no socket took frame 2 (a bare RST answered it)"
};

struct InferredStates {
  std::vector<StateChange> client, server;
  // The capture begins mid-connection: where each end was is unknown, and
  // the lists hold only the changes the capture shows from there.
  bool starts_unknown = false;
};

InferredStates infer_states(const std::vector<FlowPacket>& packets);
// The same over a port pair's incarnations (Flow::incarnations: where each
// later one begins), one after the other. A TIME_WAIT the next incarnation's
// SYN reaches ends there (CLOSE): Linux kills it and hands the SYN to the
// listener.
InferredStates infer_states(const std::vector<FlowPacket>& packets, const std::vector<std::size_t>& incarnations);

std::vector<std::string> state_names(const std::vector<StateChange>& changes);

}  // namespace closepath::pcap
