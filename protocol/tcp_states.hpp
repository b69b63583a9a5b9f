// The TCP states: Linux's numbers (include/net/tcp_states.h) and the names
// ss, the kernel's tracepoints and scenarios use. The one table of them;
// every state closepath names, compares or prints comes from here. Header
// only, so the capture library, the protocol and the peer all read it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace closepath {

enum class TcpState : std::uint8_t {
  established = 1, syn_sent, syn_recv, fin_wait1, fin_wait2, time_wait, close, close_wait, last_ack, listen, closing,
  new_syn_recv,
};

struct TcpStateName {
  TcpState state;
  std::string_view name;
  std::string_view doc;  // for `closepath help words`
};
inline constexpr std::array<TcpStateName, 12> kTcpStates{{
    {TcpState::established, "ESTABLISHED", "the connection is open both ways"},
    {TcpState::syn_sent, "SYN_SENT", "a client's SYN is out, no SYN-ACK yet"},
    {TcpState::syn_recv, "SYN_RECV", "a server's SYN-ACK is out, the handshake's last ACK not in"},
    {TcpState::fin_wait1, "FIN_WAIT1", "closed here: the FIN is out, not yet acknowledged"},
    {TcpState::fin_wait2, "FIN_WAIT2", "closed here, the FIN acknowledged: waiting for the peer's FIN"},
    {TcpState::time_wait, "TIME_WAIT", "both FINs exchanged, this side closed first: kept for 2 MSL"},
    {TcpState::close, "CLOSE", "the socket is done (a reset, or the end of LAST_ACK or TIME_WAIT)"},
    {TcpState::close_wait, "CLOSE_WAIT", "the peer's FIN is in; this side has not closed yet"},
    {TcpState::last_ack, "LAST_ACK", "closed after the peer did: this side's FIN is out, not yet acknowledged"},
    {TcpState::listen, "LISTEN", "a listener"},
    {TcpState::closing, "CLOSING", "both sides closed at once: FINs crossed, this side's not yet acknowledged"},
    {TcpState::new_syn_recv, "NEW_SYN_RECV", "a request socket: a SYN answered, before the connection socket is made"},
}};

// "ESTABLISHED", ...
constexpr std::string_view name(TcpState s) {
  for (const auto& t : kTcpStates)
    if (t.state == s) return t.name;
  return "?";
}
inline std::string state_text(TcpState s) { return std::string(name(s)); }

// By name, with or without the kernel's "TCP_" prefix.
constexpr std::optional<TcpState> tcp_state_named(std::string_view text) {
  if (text.substr(0, 4) == "TCP_") text.remove_prefix(4);
  for (const auto& t : kTcpStates)
    if (t.name == text) return t.state;
  return std::nullopt;
}

// By Linux's number (sock_diag's idiag_state, tcp_info's tcpi_state).
constexpr std::string_view tcp_state_name(unsigned number) {
  return number >= 1 && number <= kTcpStates.size() ? name(static_cast<TcpState>(number)) : "?";
}

}  // namespace closepath
