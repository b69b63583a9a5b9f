// The statistical impairment backend: a netem qdisc on the egress of a wire
// leg, so it applies to what the wire forwards (c>s leaves by the server leg,
// s>c by the client leg). Real `tc` invocations, without a shell.
#pragma once

#include "netns.hpp"
#include "scenario.hpp"

#include <string>
#include <vector>

namespace closepath {

// The tc command lines for one netem step, one per leg it touches.
std::vector<std::vector<std::string>> netem_commands(const Netem& n);

// Runs them in the wire namespace; throws HostError.
void apply_netem(const NetNamespace& wire, const Netem& n);

}  // namespace closepath
