#include "states.hpp"
#include "tcp_states.hpp"

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

using Leftovers = std::map<Side, std::vector<SocketEntry>>;

// The audit's entry for our connection socket on `side`, if it still exists.
const SocketEntry* audited_socket(const Leftovers& leftovers, Side side, const Addresses& at) {
  const auto it = leftovers.find(side);
  if (it == leftovers.end()) return nullptr;
  for (const auto& e : it->second)
    if (ours(side, e, at) && e.state != name(TcpState::close)) return &e;
  return nullptr;
}

void add_note(std::string& notes, const std::string& note) { notes += (notes.empty() ? "" : "; ") + note; }

// The state close() moves a socket to without any packet having to leave.
std::optional<std::string> closed_locally(const std::string& from) {
  if (from == name(TcpState::established) || from == name(TcpState::syn_recv)) return state_text(TcpState::fin_wait1);
  if (from == name(TcpState::close_wait)) return state_text(TcpState::last_ack);
  return std::nullopt;
}

std::vector<std::string> sources_of(const std::vector<pcap::StateChange>& changes, const std::vector<pcap::FlowPacket>* packets) {
  std::vector<std::string> from;
  for (const auto& c : changes) {
    std::string text = packets && c.packet < packets->size()
                           ? "frame " + std::to_string((*packets)[c.packet].frame + 1) + ", " + pcap::describe((*packets)[c.packet])
                           : std::string();
    if (!c.why.empty()) text += (text.empty() ? "" : ": ") + c.why;
    from.push_back(std::move(text));
  }
  return from;
}

// The inferred sequence, completed from the audit where no packet can tell.
void complete_inferred(SideStates& st, Side side, const Leftovers& leftovers, const Addresses& at, bool audited,
                       const std::map<Side, SocketEntry>& at_close) {
  // The application closed, but its FIN never left: the audit sees the state close() set (the final
  // audit, or the one just after the close when a timer has ended the socket since).
  const auto* socket = audited ? audited_socket(leftovers, side, at) : nullptr;
  const auto closing = at_close.find(side);
  const bool just_after_close = !socket && closing != at_close.end();
  if (just_after_close) socket = &closing->second;
  if (socket && !st.inferred.empty() && socket->state != st.inferred.back() && closed_locally(st.inferred.back()) == socket->state) {
    const std::string which = just_after_close ? "the socket audit just after the close" : "the socket audit";
    st.inferred.push_back(socket->state);
    st.inferred_from.push_back(which);
    add_note(st.inferred_note, socket->state + " from " + which + ": the application closed, and its FIN had not left (send-q " +
                                   std::to_string(socket->send_q) + ")");
  }
  // The capture shows no timers: a socket it leaves open that the audit no
  // longer finds was closed by one (an orphan's FIN_WAIT2 or TIME_WAIT ran out).
  if (!audited || st.inferred.empty() || st.inferred.back() == name(TcpState::close)) return;
  const auto it = leftovers.find(side);
  // A socket in CLOSE that the application still holds (bound) is closed all the same.
  const bool gone = it == leftovers.end() || std::none_of(it->second.begin(), it->second.end(), [&](const SocketEntry& e) {
    return ours(side, e, at) && e.state != name(TcpState::close);
  });
  if (!gone) return;
  st.inferred.push_back(state_text(TcpState::close));
  st.inferred_from.push_back("the socket audit");
  add_note(st.inferred_note, "CLOSE from the socket audit: no packet closed it, a timer did");
}

// The kernel's sequence as traced, one source per state.
void trace_sequence(SideStates& s, Side side, const std::vector<TraceEvent>& trace, const Addresses& at) {
  auto& k = *s.kernel;
  for (const auto& e : trace) {
    if (!on_side(e, side, at)) continue;
    if (e.event != "inet_sock_set_state") {
      s.resets.push_back(std::string(e.event == "tcp_send_reset" ? "sent" : "received") +
                         (e.oldstate.empty() ? "" : " in " + e.oldstate) + (e.reason.empty() ? "" : " (" + e.reason + ")"));
      continue;
    }
    // A server's connection socket is born in SYN_RECV; 6.1 and 6.12 trace that before its ports are
    // set (dport 0), so the port filter cannot see it. Its first event's old state says where it was;
    // so does the first event of the port pair's next connection (time_wait_reuse), after a CLOSE.
    const bool born_untraced = e.oldstate != name(TcpState::close) && e.oldstate != name(TcpState::listen) && e.oldstate != name(TcpState::new_syn_recv);
    const bool reborn = !k.empty() && k.back() == name(TcpState::close) && e.oldstate == name(TcpState::syn_recv);
    if ((k.empty() || reborn) && !e.oldstate.empty() && born_untraced && e.oldstate != e.newstate) {
      k.push_back(e.oldstate);
      s.kernel_from.push_back(kFromTrace);
      add_note(s.note, e.oldstate + " from its first traced event's old state (this kernel traced the state before the socket had its ports)");
    }
    // A state set again (FIN_WAIT2 -> FIN_WAIT2 when close() follows shutdown(SHUT_WR)) is one state.
    if (k.empty() || k.back() != e.newstate) {
      k.push_back(e.newstate);
      s.kernel_from.push_back(kFromTrace);
    }
  }
}

// Inserts the TIME_WAIT no tracepoint shows before the hand-over's CLOSE at
// `n`, when the capture shows the FIN that began it, and says it is the capture's.
bool time_wait_from_capture(SideStates& s, std::size_t n) {
  auto& k = *s.kernel;
  if (n == 0 || n >= k.size() || k[n] != name(TcpState::close) || (k[n - 1] != name(TcpState::fin_wait2) && k[n - 1] != name(TcpState::closing)) ||
      s.inferred.size() < n + 2 || !std::equal(k.begin(), k.begin() + static_cast<std::ptrdiff_t>(n), s.inferred.begin()) ||
      s.inferred[n] != name(TcpState::time_wait) || s.inferred[n + 1] != name(TcpState::close))
    return false;
  k.insert(k.begin() + static_cast<std::ptrdiff_t>(n), state_text(TcpState::time_wait));
  s.kernel_from.insert(s.kernel_from.begin() + static_cast<std::ptrdiff_t>(n),
                       std::string(kFromCapture) + (n < s.inferred_from.size() && !s.inferred_from[n].empty()
                                                        ? " (" + s.inferred_from[n] + ")" : std::string()));
  return true;
}

// Where the tracepoint cannot follow: a closing socket handed to a time-wait
// mini socket is traced as "-> CLOSE" but lives on (TIME_WAIT, or FIN_WAIT2
// for an orphan), which the audit sees; a time-wait socket gone before the
// audit (a RST ended it, or its timer) or ended by the port pair's next SYN
// leaves only the capture to say it was in TIME_WAIT, and the sequence says so.
void complete_kernel(SideStates& s, Side side, const Leftovers& leftovers, const Addresses& at, bool audited) {
  auto& k = *s.kernel;
  for (std::size_t n = 1; n + 1 < k.size(); ++n)  // a time-wait socket a new SYN on the port pair ended
    if ((k[n + 1] == name(TcpState::syn_sent) || k[n + 1] == name(TcpState::syn_recv)) && time_wait_from_capture(s, n))
      add_note(s.note, "TIME_WAIT from the capture: the tracepoint reports the hand-over to a time-wait socket as CLOSE; the "
                       "port pair's next SYN ended it, as the capture shows");
  if (k.empty() || k.back() != name(TcpState::close)) return;
  const auto it = leftovers.find(side);
  if (it != leftovers.end())
    for (const auto& e : it->second) {
      if (!ours(side, e, at) || e.state == name(TcpState::close)) continue;
      k.pop_back();
      s.kernel_from.pop_back();
      if (k.empty() || k.back() != e.state) {
        k.push_back(e.state);
        s.kernel_from.push_back(kFromAudit);
      }
      add_note(s.note, e.state + " from the socket audit: the tracepoint reports the hand-over to a time-wait socket as CLOSE");
      return;
    }
  if (audited && time_wait_from_capture(s, k.size() - 1))
    add_note(s.note, "TIME_WAIT from the capture: the tracepoint reports the hand-over to a time-wait socket as CLOSE, and "
                     "that socket was gone by the audit");
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

std::string judged_source(const SideStates& s) {
  if (!s.kernel) return "inferred from the capture";
  std::string text = "kernel trace";
  for (std::size_t i = 0; i < s.kernel->size() && i < s.kernel_from.size(); ++i)
    if (s.kernel_from[i] != kFromTrace)
      text += "; " + (*s.kernel)[i] + " from " + (s.kernel_from[i].rfind(kFromCapture, 0) == 0 ? "the capture" : "the socket audit");
  return text;
}

std::map<Side, SideStates> collect_states(const std::optional<std::vector<TraceEvent>>& trace,
                                          const pcap::InferredStates& inferred, const Leftovers& leftovers,
                                          const Addresses& at, bool audited, const std::vector<pcap::FlowPacket>* packets,
                                          const std::map<Side, SocketEntry>& at_close) {
  std::map<Side, SideStates> out;
  for (Side side : {Side::client, Side::server}) {
    auto& st = out[side];
    const auto& changes = side == Side::client ? inferred.client : inferred.server;
    st.inferred = pcap::state_names(changes);
    st.inferred_from = sources_of(changes, packets);
    complete_inferred(st, side, leftovers, at, audited, at_close);
    if (!trace) continue;
    st.kernel.emplace();
    trace_sequence(st, side, *trace, at);
    complete_kernel(st, side, leftovers, at, audited);
  }
  return out;
}

}  // namespace closepath
