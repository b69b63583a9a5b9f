#include "leftover_pattern.hpp"

#include "tcp_state.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace closepath {
namespace {

constexpr std::array<const char*, 5> kTimers{"off", "retransmit", "keepalive", "time_wait", "probe"};

bool in(const std::optional<pcap::NumberRange>& r, std::uint32_t v) { return !r || r->contains(v); }

}  // namespace

const std::vector<LeftoverField>& leftover_fields() {
  static const std::vector<LeftoverField> fields{
      {"recv_q", "recv_q N | recv_q LOW..HIGH", "bytes received and not read (ss's Recv-Q)", "CLOSE_WAIT recv_q 1000"},
      {"send_q", "send_q N | send_q LOW..HIGH", "bytes sent and not acknowledged, a FIN counted as one (ss's Send-Q)",
       "FIN_WAIT1 send_q 1001"},
      {"timer", "timer off|on|retransmit|keepalive|time_wait|probe",
       "the socket's pending timer as sock_diag tells it (on: any; probe: zero-window probing)", "FIN_WAIT1 timer retransmit"},
      {"orphan", "orphan | owned", "closed by its application and kept by the kernel, or still held by a process",
       "FIN_WAIT1 orphan"},
      {"owned", "owned", "still held by a process (the opposite of orphan)", "CLOSE_WAIT owned"},
  };
  return fields;
}

std::string timer_name(std::uint8_t timer) {
  if (timer == SocketEntry::kTimerUnknown) return "unknown";
  return timer < kTimers.size() ? kTimers[timer] : std::to_string(timer);
}

LeftoverPattern parse_leftover_pattern(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> w;
  for (std::string s; in >> s;) w.push_back(s);
  if (w.empty()) throw std::invalid_argument("a leftover names a TCP state, e.g. 'FIN_WAIT1 send_q 1001'");
  if (!pcap::is_tcp_state(w[0])) throw std::invalid_argument("unknown TCP state '" + w[0] + "'");
  LeftoverPattern p;
  p.state = pcap::strip_tcp_prefix(w[0]);
  auto once = [&](bool given, const std::string& field) {
    if (given) throw std::invalid_argument("'" + field + "' is given twice");
  };
  for (std::size_t i = 1; i < w.size(); ++i) {
    const auto& field = w[i];
    if (field == "orphan" || field == "owned") {
      once(p.orphan.has_value(), "orphan/owned");
      p.orphan = field == "orphan";
      continue;
    }
    if (field != "recv_q" && field != "send_q" && field != "timer")
      throw std::invalid_argument("unknown leftover field '" + field + "' (known: recv_q, send_q, timer, orphan, owned)");
    if (i + 1 == w.size()) throw std::invalid_argument("'" + field + "' needs a value");
    const auto& value = w[++i];
    if (field == "timer") {
      once(p.timer.has_value(), field);
      if (value != "on" && std::find(kTimers.begin(), kTimers.end(), value) == kTimers.end())
        throw std::invalid_argument("timer takes off, on, retransmit, keepalive, time_wait or probe, got '" + value + "'");
      p.timer = value;
    } else {
      auto& q = field == "recv_q" ? p.recv_q : p.send_q;
      once(q.has_value(), field);
      q = pcap::parse_number_range(field, value, UINT32_MAX);
    }
  }
  return p;
}

bool LeftoverPattern::matches(const SocketEntry& e) const {
  if (e.state != state || !in(recv_q, e.recv_q) || !in(send_q, e.send_q)) return false;
  if (orphan && *orphan != e.orphan) return false;
  if (timer && (e.timer == SocketEntry::kTimerUnknown || !(*timer == "on" ? e.timer != 0 : *timer == timer_name(e.timer))))
    return false;
  return true;
}

std::string LeftoverPattern::text() const {
  std::string s = state;
  if (recv_q) s += " recv_q " + recv_q->text();
  if (send_q) s += " send_q " + send_q->text();
  if (timer) s += " timer " + *timer;
  if (orphan) s += *orphan ? " orphan" : " owned";
  return s;
}

}  // namespace closepath
