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
  std::vector<std::string> resets;  // "sent" / "received", from tcp_*_reset
  std::string note;                 // how the kernel sequence was completed, if it was
  std::string inferred_note;        // how the inferred sequence was completed, if it was
};

struct Addresses {
  std::string client, server;
  int port = 0;  // the client's port: unique per run
};

// The kernel's sequence for each side's connection socket (the listener is
// left out). The tracepoint reports the hand-over of a closing socket to a
// time-wait mini socket as "-> CLOSE"; when the audit still holds that
// socket (TIME_WAIT, or FIN_WAIT2 for an orphan), the sequence ends in its
// state instead, as the inference does. The inferred sequence, which sees
// no timers, ends in CLOSE when the audit no longer finds its socket.
std::map<Side, SideStates> collect_states(const std::optional<std::vector<TraceEvent>>& trace,
                                          const pcap::InferredStates& inferred,
                                          const std::map<Side, std::vector<SocketEntry>>& leftovers,
                                          const Addresses& at, bool audited = true);

}  // namespace closepath
