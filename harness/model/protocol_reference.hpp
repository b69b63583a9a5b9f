// The peer protocol's spec (protocol/spec.hpp) as docs/protocol.md holds it
// between its protocol markers: `closepath help protocol --format markdown`.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace closepath {

std::string protocol_markdown(const nlohmann::json& spec);

}  // namespace closepath
