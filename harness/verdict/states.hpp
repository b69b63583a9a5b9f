// Each side's TCP state sequence from both sources: the kernel's
// tracepoints (when the run could trace) and inference from the capture.
#pragma once

#include "scenario.hpp"
#include "side_states.hpp"
#include "socket_entry.hpp"
#include "trace_event.hpp"
#include "state_inference.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace closepath {

// Whether an audit entry is `side`'s connection socket (not the listener): the
// one on the run's client port.
bool is_connection_socket(Side side, const SocketEntry& e, int client_port);

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
// its FIN has not left (queued behind unsent data, a zero window): as the
// final audit shows it or, when a timer ended the socket before that, as
// `at_close` does (each side's connection socket audited just after its
// application's last close, shutdown or crash step).
// `packets` (the flow the inference ran on) names the packet behind each
// inferred state in `inferred_from`.
std::map<Side, SideStates> collect_states(const std::optional<std::vector<TraceEvent>>& trace,
                                          const pcap::InferredStates& inferred,
                                          const std::map<Side, std::vector<SocketEntry>>& leftovers,
                                          const Addresses& at, bool audited = true,
                                          const std::vector<pcap::FlowPacket>* packets = nullptr,
                                          const std::map<Side, SocketEntry>& at_close = {});

// What judged a side's states, as messages name it: "inferred from the
// capture", "kernel trace", or "kernel trace; TIME_WAIT from the capture"
// when the kernel's sequence took a state from elsewhere.
std::string judged_source(const SideStates& s);

// Where the kernel and the capture part, when they do: "after [SYN_SENT,
// ESTABLISHED] the kernel went to FIN_WAIT1, the capture to nothing more".
std::optional<std::string> where_sources_part(const SideStates& s);

}  // namespace closepath
