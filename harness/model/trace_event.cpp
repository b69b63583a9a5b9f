#include "trace_event.hpp"

#include <sstream>
#include <string_view>

namespace closepath {
namespace {

std::int64_t parse_timestamp(const std::string& text) {
  // "12345.678901" seconds with microseconds
  const auto dot = text.find('.');
  if (dot == std::string::npos) return 0;
  return std::stoll(text.substr(0, dot)) * 1'000'000'000 + std::stoll(text.substr(dot + 1, 6)) * 1000;
}

// An IPv4-mapped IPv6 address ("::ffff:10.0.0.2": a dual-stack socket's
// IPv4 connection) as the IPv4 address it is.
std::string unmapped(const std::string& address) {
  constexpr std::string_view kMapped = "::ffff:";
  if (address.size() > kMapped.size() && address.compare(0, kMapped.size(), kMapped) == 0 &&
      address.find('.') != std::string::npos)
    return address.substr(kMapped.size());
  return address;
}

}  // namespace

std::optional<TraceEvent> parse_trace_line(const std::string& line) {
  if (line.empty() || line[0] == '#') return std::nullopt;
  // "  comm-pid  [001] ..s1.  123.456789: event_name: key=value key=value"
  const auto colon = line.find(": ");
  if (colon == std::string::npos) return std::nullopt;
  const auto ts_start = line.rfind(' ', colon);
  const auto name_end = line.find(": ", colon + 2);
  if (ts_start == std::string::npos || name_end == std::string::npos) return std::nullopt;
  TraceEvent e;
  e.event = line.substr(colon + 2, name_end - colon - 2);
  if (e.event != "inet_sock_set_state" && e.event != "tcp_send_reset" && e.event != "tcp_receive_reset")
    return std::nullopt;
  try {
    e.mono_ns = parse_timestamp(line.substr(ts_start + 1, colon - ts_start - 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::istringstream fields(line.substr(name_end + 2));
  bool ipv6 = false;  // inet_sock_set_state of an AF_INET6 socket: its addresses are saddrv6/daddrv6
  std::string saddr6, daddr6;
  for (std::string kv; fields >> kv;) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    const auto key = kv.substr(0, eq), value = kv.substr(eq + 1);
    if (key == "sport") e.sport = static_cast<std::uint16_t>(std::stoi(value));
    else if (key == "dport") e.dport = static_cast<std::uint16_t>(std::stoi(value));
    else if (key == "family") ipv6 = value == "AF_INET6";
    else if (key == "saddr") e.saddr = value;
    else if (key == "daddr") e.daddr = value;
    else if (key == "saddrv6") saddr6 = value;
    else if (key == "daddrv6") daddr6 = value;
    else if (key == "src" || key == "dest") {  // tcp_send_reset: "10.0.0.1:47000", "[fd00::1]:47000"
      const auto sep = value.rfind(':');
      if (sep == std::string::npos) continue;
      const auto port = static_cast<std::uint16_t>(std::stoi(value.substr(sep + 1)));
      auto address = value.substr(0, sep);
      if (address.size() >= 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
      (key == "src" ? e.saddr : e.daddr) = address;
      (key == "src" ? e.sport : e.dport) = port;
    } else if (key == "reason") e.reason = value;
    else if (key == "state") e.oldstate = value.rfind("TCP_", 0) == 0 ? value.substr(4) : value;
    else if (key == "oldstate") e.oldstate = value.rfind("TCP_", 0) == 0 ? value.substr(4) : value;
    else if (key == "newstate") e.newstate = value.rfind("TCP_", 0) == 0 ? value.substr(4) : value;
  }
  if (ipv6) e.saddr = saddr6, e.daddr = daddr6;
  e.saddr = unmapped(e.saddr);
  e.daddr = unmapped(e.daddr);
  return e;
}

}  // namespace closepath
