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

inline constexpr std::array<std::pair<TcpState, std::string_view>, 12> kTcpStates{{
    {TcpState::established, "ESTABLISHED"}, {TcpState::syn_sent, "SYN_SENT"},   {TcpState::syn_recv, "SYN_RECV"},
    {TcpState::fin_wait1, "FIN_WAIT1"},     {TcpState::fin_wait2, "FIN_WAIT2"}, {TcpState::time_wait, "TIME_WAIT"},
    {TcpState::close, "CLOSE"},             {TcpState::close_wait, "CLOSE_WAIT"}, {TcpState::last_ack, "LAST_ACK"},
    {TcpState::listen, "LISTEN"},           {TcpState::closing, "CLOSING"},     {TcpState::new_syn_recv, "NEW_SYN_RECV"},
}};

// "ESTABLISHED", ...
constexpr std::string_view name(TcpState s) {
  for (const auto& [state, text] : kTcpStates)
    if (state == s) return text;
  return "?";
}
inline std::string state_text(TcpState s) { return std::string(name(s)); }

// By name, with or without the kernel's "TCP_" prefix.
constexpr std::optional<TcpState> tcp_state_named(std::string_view text) {
  if (text.substr(0, 4) == "TCP_") text.remove_prefix(4);
  for (const auto& [state, name] : kTcpStates)
    if (name == text) return state;
  return std::nullopt;
}

// By Linux's number (sock_diag's idiag_state, tcp_info's tcpi_state).
constexpr std::string_view tcp_state_name(unsigned number) {
  return number >= 1 && number <= kTcpStates.size() ? name(static_cast<TcpState>(number)) : "?";
}

}  // namespace closepath
