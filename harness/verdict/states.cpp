#include "states.hpp"

#include <algorithm>

namespace closepath {

bool is_connection_socket(Side side, const SocketEntry& e, int client_port) {
  return side == Side::client ? e.local_port == client_port : e.remote_port == client_port;
}

namespace {

bool on_side(const TraceEvent& e, Side side, const Addresses& at) {
  if (side == Side::client) return e.saddr == at.client && e.sport == at.port;
  return e.saddr == at.server && e.dport == at.port;  // the listener (dport 0) is not ours
}

bool ours(Side side, const SocketEntry& e, const Addresses& at) { return is_connection_socket(side, e, at.port); }

// The audit's entry for our connection socket on `side`, if it still exists.
const SocketEntry* audited_socket(const std::map<Side, std::vector<SocketEntry>>& leftovers, Side side, const Addresses& at) {
  const auto it = leftovers.find(side);
  if (it == leftovers.end()) return nullptr;
  for (const auto& e : it->second)
    if (ours(side, e, at) && e.state != "CLOSE") return &e;
  return nullptr;
}

void add_note(std::string& notes, const std::string& note) { notes += (notes.empty() ? "" : "; ") + note; }

// The state close() moves a socket to without any packet having to leave.
std::optional<std::string> closed_locally(const std::string& from) {
  if (from == "ESTABLISHED" || from == "SYN_RECV") return "FIN_WAIT1";
  if (from == "CLOSE_WAIT") return "LAST_ACK";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> where_sources_part(const SideStates& s) {
  if (!s.kernel || *s.kernel == s.inferred) return std::nullopt;
  const auto& k = *s.kernel;
  std::size_t n = 0;
  while (n < k.size() && n < s.inferred.size() && k[n] == s.inferred[n]) ++n;
  std::vector<std::string> prefix(k.begin(), k.begin() + static_cast<std::ptrdiff_t>(n));
  std::string text = "after " + pcap::join_states(prefix) + " the kernel went to " + (n < k.size() ? k[n] : "nothing more") +
                     ", the capture to ";
  if (n < s.inferred.size()) {
    text += s.inferred[n];
    if (n < s.inferred_from.size() && !s.inferred_from[n].empty()) text += " (" + s.inferred_from[n] + ")";
  } else {
    text += "nothing more";
  }
  return text;
}

namespace {

std::vector<std::string> sources_of(const std::vector<pcap::StateChange>& changes, const std::vector<pcap::FlowPacket>* packets) {
  std::vector<std::string> from;
  for (const auto& c : changes)
    from.push_back(packets && c.packet < packets->size()
                       ? "frame " + std::to_string((*packets)[c.packet].frame + 1) + ", " + pcap::describe((*packets)[c.packet])
                       : std::string());
  return from;
}

}  // namespace

std::map<Side, SideStates> collect_states(const std::optional<std::vector<TraceEvent>>& trace,
                                          const pcap::InferredStates& inferred,
                                          const std::map<Side, std::vector<SocketEntry>>& leftovers,
                                          const Addresses& at, bool audited, const std::vector<pcap::FlowPacket>* packets,
                                          const std::map<Side, SocketEntry>& at_close) {
  std::map<Side, SideStates> out;
  out[Side::client].inferred = pcap::state_names(inferred.client);
  out[Side::server].inferred = pcap::state_names(inferred.server);
  out[Side::client].inferred_from = sources_of(inferred.client, packets);
  out[Side::server].inferred_from = sources_of(inferred.server, packets);
  // The application closed, but its FIN never left: the audit sees the state close() set (the final
  // audit, or the one just after the close when a timer has ended the socket since).
  for (Side side : {Side::client, Side::server}) {
    auto& st = out[side];
    const auto* socket = audited ? audited_socket(leftovers, side, at) : nullptr;
    const auto closing = at_close.find(side);
    const bool just_after_close = !socket && closing != at_close.end();
    if (just_after_close) socket = &closing->second;
    if (!socket || st.inferred.empty() || socket->state == st.inferred.back()) continue;
    if (closed_locally(st.inferred.back()) != socket->state) continue;
    const std::string which = just_after_close ? "the socket audit just after the close" : "the socket audit";
    st.inferred.push_back(socket->state);
    st.inferred_from.push_back(which);
    add_note(st.inferred_note, socket->state + " from " + which + ": the application closed, and its FIN had not left (send-q " +
                                   std::to_string(socket->send_q) + ")");
  }
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
    st.inferred_from.push_back("the socket audit");
    add_note(st.inferred_note, "CLOSE from the socket audit: no packet closed it, a timer did");
  }
  if (!trace) return out;
  for (Side side : {Side::client, Side::server}) {
    auto& s = out[side];
    s.kernel.emplace();
    for (const auto& e : *trace) {
      if (!on_side(e, side, at)) continue;
      if (e.event != "inet_sock_set_state") {
        s.resets.push_back(std::string(e.event == "tcp_send_reset" ? "sent" : "received") +
                           (e.oldstate.empty() ? "" : " in " + e.oldstate) + (e.reason.empty() ? "" : " (" + e.reason + ")"));
        continue;
      }
      // A server's connection socket is born in SYN_RECV; 6.1 and 6.12 trace that before its ports are
      // set (dport 0), so the port filter cannot see it. Its first event's old state says where it was;
      // so does the first event of the port pair's next connection (time_wait_reuse), after a CLOSE.
      const bool born_untraced = e.oldstate != "CLOSE" && e.oldstate != "LISTEN" && e.oldstate != "NEW_SYN_RECV";
      const bool reborn = !s.kernel->empty() && s.kernel->back() == "CLOSE" && e.oldstate == "SYN_RECV";
      if ((s.kernel->empty() || reborn) && !e.oldstate.empty() && born_untraced && e.oldstate != e.newstate) {
        s.kernel->push_back(e.oldstate);
        add_note(s.note, e.oldstate + " from its first traced event's old state (this kernel traced the state before the socket had its ports)");
      }
      // A state set again (FIN_WAIT2 -> FIN_WAIT2 when close() follows shutdown(SHUT_WR)) is one state.
      if (s.kernel->empty() || s.kernel->back() != e.newstate) s.kernel->push_back(e.newstate);
    }
    // A time-wait socket that a new SYN on the port pair ended (time_wait_reuse): the kernel traced the
    // hand-over as "-> CLOSE" and then the next incarnation; the capture shows the FIN that began TIME_WAIT.
    for (std::size_t n = 1; n + 1 < s.kernel->size(); ++n) {
      auto& k = *s.kernel;
      const bool handover = k[n] == "CLOSE" && (k[n - 1] == "FIN_WAIT2" || k[n - 1] == "CLOSING") &&
                            (k[n + 1] == "SYN_SENT" || k[n + 1] == "SYN_RECV");
      if (!handover || s.inferred.size() < n + 2 || s.inferred[n] != "TIME_WAIT" || s.inferred[n + 1] != "CLOSE" ||
          !std::equal(k.begin(), k.begin() + static_cast<std::ptrdiff_t>(n), s.inferred.begin()))
        continue;
      k.insert(k.begin() + static_cast<std::ptrdiff_t>(n), "TIME_WAIT");
      add_note(s.note, "TIME_WAIT untraced: the tracepoint reports the hand-over to a time-wait socket as CLOSE; the "
                       "port pair's next SYN ended it, as the capture shows");
    }
    // A closing socket handed to a time-wait mini socket is traced as "-> CLOSE"
    // but lives on (state TIME_WAIT, or FIN_WAIT2 for an orphan): the audit sees it.
    const auto it = leftovers.find(side);
    if (s.kernel->empty() || s.kernel->back() != "CLOSE") continue;
    bool audited_handover = false;
    for (const auto& e : it == leftovers.end() ? std::vector<SocketEntry>{} : it->second) {
      if (!ours(side, e, at) || e.state == "CLOSE") continue;
      s.kernel->pop_back();
      if (s.kernel->empty() || s.kernel->back() != e.state) s.kernel->push_back(e.state);
      add_note(s.note, e.state + " from the socket audit: the tracepoint reports the hand-over to a time-wait socket as CLOSE");
      audited_handover = true;
      break;
    }
    if (audited_handover || !audited) continue;
    // The time-wait socket was gone before the audit (a RST ended it: RFC 1337 assassination, or its
    // timer ran out). No tracepoint follows time-wait sockets, so the kernel's "FIN_WAIT2 -> CLOSE" is
    // the hand-over whose fate it cannot see; the capture shows the FIN that began TIME_WAIT.
    auto& k = *s.kernel;
    const auto n = k.size() - 1;  // the CLOSE
    if (n == 0 || (k[n - 1] != "FIN_WAIT2" && k[n - 1] != "CLOSING") || s.inferred.size() < n + 2 ||
        !std::equal(k.begin(), k.begin() + static_cast<std::ptrdiff_t>(n), s.inferred.begin()) ||
        s.inferred[n] != "TIME_WAIT" || s.inferred[n + 1] != "CLOSE")
      continue;
    k.insert(k.begin() + static_cast<std::ptrdiff_t>(n), "TIME_WAIT");
    add_note(s.note, "TIME_WAIT untraced: the tracepoint reports the hand-over to a time-wait socket as CLOSE, and that "
                     "socket was gone by the audit; the capture shows the FIN that began it" +
                         (n < s.inferred_from.size() && !s.inferred_from[n].empty() ? " (" + s.inferred_from[n] + ")"
                                                                                    : std::string()));
  }
  return out;
}

}  // namespace closepath
