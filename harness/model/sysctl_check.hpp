// Sysctls a scenario sets must exist on this kernel: a misspelt name is a
// mistake in the scenario (exit 2, FILE:LINE, nothing run), not a host
// problem found halfway through building the topology.
#pragma once

#include "scenario.hpp"

#include <filesystem>

namespace closepath {

// Throws ScenarioError for the first net.* key with no file under
// `proc_sys`, suggesting the closest one that exists. Per-interface keys
// (net.ipv4.conf.eth0.X, ...) may name the endpoint's interfaces, eth0 and
// lo, and are checked against conf/default.
void check_sysctls_exist(const Scenario& s, const std::filesystem::path& proc_sys = "/proc/sys");

}  // namespace closepath
