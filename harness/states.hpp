// Each side's TCP state sequence from both sources: the kernel's
// tracepoints (when the run could trace) and inference from the capture.
#pragma once

#include "kernel_trace.hpp"
#include "scenario.hpp"
#include "socket_audit.hpp"
#include "state_inference.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace closepath {

struct SideStates {
  std::optional<std::vector<std::string>> kernel;  // nullopt: not traced
  std::vector<std::string> inferred;
  std::vector<std::string> inferred_from;  // per inferred state: the packet behind it ("frame 6 (c>s F. ...)") or the audit
  std::vector<std::string> resets;  // "sent" / "received", from tcp_*_reset
  std::string note;                 // how the kernel sequence was completed, if it was
  std::string inferred_note;        // how the inferred sequence was completed, if it was
};

struct Addresses {
  std::string client, server;
  int port = 0;  // the client's port: unique per run
};

// The kernel's sequence for each side's connection socket (the listener is
// left out), reconciled with how the kernel reports it:
// - a state set again (close() of a socket already in FIN_WAIT2 is traced
//   as FIN_WAIT2 -> FIN_WAIT2) counts once;
// - the tracepoint reports the hand-over of a closing socket to a time-wait
//   mini socket as "-> CLOSE"; when the audit still holds that socket
//   (TIME_WAIT, or FIN_WAIT2 for an orphan), the sequence ends in its state.
// The inferred sequence is completed from the audit where no packet can
// tell: it ends in CLOSE when the audit no longer finds its socket (a timer
// closed it), and in FIN_WAIT1 / LAST_ACK when the application closed but
// its FIN has not left (queued behind unsent data, a zero window).
// `packets` (the flow the inference ran on) names the packet behind each
// inferred state in `inferred_from`.
std::map<Side, SideStates> collect_states(const std::optional<std::vector<TraceEvent>>& trace,
                                          const pcap::InferredStates& inferred,
                                          const std::map<Side, std::vector<SocketEntry>>& leftovers,
                                          const Addresses& at, bool audited = true,
                                          const std::vector<pcap::FlowPacket>* packets = nullptr);

// Where the kernel and the capture part, when they do: "after [SYN_SENT,
// ESTABLISHED] the kernel went to FIN_WAIT1, the capture to nothing more".
std::optional<std::string> where_sources_part(const SideStates& s);

}  // namespace closepath
