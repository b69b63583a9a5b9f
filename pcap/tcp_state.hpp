// TCP states by their Linux names (include/net/tcp_states.h), and the
// sequence matcher for expected state lists.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace closepath::pcap {

// A state of tcp_states.hpp by name; also with the kernel's "TCP_" prefix.
bool is_tcp_state(const std::string& name);
std::string strip_tcp_prefix(const std::string& name);

// One item of an expected state list: a state, "STATE?" (optional) or "...".
struct StatePattern {
  std::string state;  // empty for "..."
  bool optional = false;
};
// Throws std::invalid_argument naming the bad item.
StatePattern parse_state_pattern(const std::string& text);

// nullopt when `actual` matches `expected` (anchored at both ends), else
// "expected [A, B, C] vs actual [A, D]".
std::optional<std::string> match_states(const std::vector<StatePattern>& expected,
                                        const std::vector<std::string>& actual);

std::string join_states(const std::vector<std::string>& states);
std::string join_patterns(const std::vector<StatePattern>& patterns);

}  // namespace closepath::pcap
