// One entry of expect.leftovers / expect.forbid_leftovers: a socket the audit
// must (or must not) find, by its state and optionally what it still holds:
//   FIN_WAIT1 send_q 1001 timer retransmit orphan
// leftover_fields() holds each field word's synopsis, doc line and example
// for `closepath help words`; parse_leftover_pattern reads the words and
// LeftoverPattern::matches checks them.
#pragma once

#include "number_range.hpp"
#include "socket_entry.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace closepath {

struct LeftoverPattern {
  std::string state;  // Linux name, without TCP_
  std::optional<pcap::NumberRange> recv_q, send_q;  // N or LOW..HIGH
  // sock_diag's timer: "off" 0, "on" any, or one kind (retransmit 1, keepalive 2, time_wait 3, probe 4).
  std::optional<std::string> timer;
  std::optional<bool> orphan;  // "orphan": no process holds it; "owned": one does

  bool matches(const SocketEntry& e) const;
  std::string text() const;  // as written: "FIN_WAIT1 send_q 1001 timer retransmit"
};

// "STATE [FIELD VALUE]..."; throws std::invalid_argument.
LeftoverPattern parse_leftover_pattern(const std::string& text);

// The name of sock_diag's idiag_timer: off, retransmit, keepalive, time_wait, probe.
std::string timer_name(std::uint8_t timer);

struct LeftoverField {
  const char* word;
  const char* synopsis;
  const char* doc;
  const char* example;  // a whole entry
};
const std::vector<LeftoverField>& leftover_fields();

}  // namespace closepath
