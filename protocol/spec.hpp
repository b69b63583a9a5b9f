// The peer protocol as a language-neutral spec, generated from the
// registries that own each part: the actions and their fields
// (actions.hpp), the outcome's fields and end words (outcome.hpp), the
// runtimes and their words (runtimes.hpp), the socket options and tcp_info
// fields. `closepath help protocol` prints it; docs/protocol.md holds it;
// pytest's peer conformance test drives every peer by it.
#pragma once

#include "action_fields.hpp"

#include <nlohmann/json.hpp>

#include <span>

namespace closepath::protocol {

// The fields of an answer (to_json(Outcome)), for the spec and its test.
std::span<const Field> outcome_fields();

nlohmann::json protocol_spec();

}  // namespace closepath::protocol
