// Turns a peer step into its control-channel command (see peers/main.cpp).
#pragma once

#include "scenario.hpp"

#include <nlohmann/json.hpp>

namespace closepath {

nlohmann::json peer_command(const PeerStep& step);

}  // namespace closepath
