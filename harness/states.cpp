#include "states.hpp"

#include <algorithm>

namespace closepath {
namespace {

bool on_side(const TraceEvent& e, Side side, const Addresses& at) {
  if (side == Side::client) return e.saddr == at.client && e.sport == at.port;
  return e.saddr == at.server && e.dport == at.port;  // the listener (dport 0) is not ours
}

// The audit entry of the connection's socket on `side` (not the listener).
bool ours(Side side, const SocketEntry& e, const Addresses& at) {
  return side == Side::client ? e.local_port == at.port : e.remote_port == at.port;
}

}  // namespace

std::map<Side, SideStates> collect_states(const std::optional<std::vector<TraceEvent>>& trace,
                                          const pcap::InferredStates& inferred,
                                          const std::map<Side, std::vector<SocketEntry>>& leftovers,
                                          const Addresses& at, bool audited) {
  std::map<Side, SideStates> out;
  out[Side::client].inferred = pcap::state_names(inferred.client);
  out[Side::server].inferred = pcap::state_names(inferred.server);
  // The capture shows no timers: a socket it leaves open that the audit no
  // longer finds was closed by one (an orphan's FIN_WAIT2 or TIME_WAIT ran out).
  for (Side side : {Side::client, Side::server}) {
    auto& st = out[side];
    if (!audited || st.inferred.empty() || st.inferred.back() == "CLOSE") continue;
    const auto it = leftovers.find(side);
    // A socket in CLOSE that the application still holds (bound) is closed all the same.
    const bool gone = it == leftovers.end() || std::none_of(it->second.begin(), it->second.end(), [&](const SocketEntry& e) {
      return ours(side, e, at) && e.state != "CLOSE";
    });
    if (!gone) continue;
    st.inferred.push_back("CLOSE");
    st.inferred_note = "CLOSE from the socket audit: no packet closed it, a timer did";
  }
  if (!trace) return out;
  for (Side side : {Side::client, Side::server}) {
    auto& s = out[side];
    s.kernel.emplace();
    for (const auto& e : *trace) {
      if (!on_side(e, side, at)) continue;
      if (e.event == "inet_sock_set_state") s.kernel->push_back(e.newstate);
      else s.resets.push_back(std::string(e.event == "tcp_send_reset" ? "sent" : "received") +
                              (e.oldstate.empty() ? "" : " in " + e.oldstate) + (e.reason.empty() ? "" : " (" + e.reason + ")"));
    }
    // A closing socket handed to a time-wait mini socket is traced as "-> CLOSE"
    // but lives on (state TIME_WAIT, or FIN_WAIT2 for an orphan): the audit sees it.
    const auto it = leftovers.find(side);
    if (it == leftovers.end() || s.kernel->empty() || s.kernel->back() != "CLOSE") continue;
    for (const auto& e : it->second) {
      if (!ours(side, e, at) || e.state == "CLOSE") continue;
      s.kernel->pop_back();
      if (s.kernel->empty() || s.kernel->back() != e.state) s.kernel->push_back(e.state);
      s.note = e.state + " from the socket audit: the tracepoint reports the hand-over to a time-wait socket as CLOSE";
      break;
    }
  }
  return out;
}

}  // namespace closepath
