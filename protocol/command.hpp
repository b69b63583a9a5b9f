// A command on the control channel: one JSON object per line,
// {"id": N, "op": NAME, "within_ms": D, ...the action's fields}. The runner
// writes them, the peer reads them; both through these two functions.
// Before any, the peer writes one line of its own: {"hello": NAME, "pid": N}.
#pragma once

#include "actions.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

namespace closepath::protocol {

// How long a step that waits may take when it does not say (`within D`):
// its own deadline, for every kind of step that waits.
inline constexpr std::chrono::milliseconds kDefaultWithin{5000};

struct Command {
  int id = 0;
  Action action{};
  std::chrono::milliseconds within = kDefaultWithin;  // the action's own deadline
};

const char* op_name(const Action& a);

nlohmann::json to_json(const Command& c);
// Throws std::invalid_argument naming what is wrong (unknown op, a field missing or of the wrong type).
Command parse_command(const nlohmann::json& j);

}  // namespace closepath::protocol
