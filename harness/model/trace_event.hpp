// One kernel tracepoint event as closepath keeps it (sock:inet_sock_set_state,
// tcp:tcp_send_reset, tcp:tcp_receive_reset): a record, read from tracefs by
// live/kernel_trace and judged by verdict/states.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace closepath {

struct TraceEvent {
  std::int64_t mono_ns = 0;
  std::string event;  // inet_sock_set_state, tcp_send_reset, tcp_receive_reset
  std::uint16_t sport = 0, dport = 0;
  std::string saddr, daddr;
  std::string oldstate, newstate;  // without the TCP_ prefix; for resets oldstate is the socket's state
  std::string reason;              // tcp_send_reset's reason, where the kernel gives one
};

// Parses one line of a tracefs `trace` file; nullopt for comments and other events.
std::optional<TraceEvent> parse_trace_line(const std::string& line);

}  // namespace closepath
