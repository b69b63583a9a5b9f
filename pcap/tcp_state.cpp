#include "tcp_state.hpp"

#include "tcp_states.hpp"

#include <array>
#include <functional>
#include <stdexcept>

namespace closepath::pcap {

std::string strip_tcp_prefix(const std::string& name) { return name.rfind("TCP_", 0) == 0 ? name.substr(4) : name; }

bool is_tcp_state(const std::string& name) { return tcp_state_named(name).has_value(); }

StatePattern parse_state_pattern(const std::string& text) {
  if (text == "...") return {};
  StatePattern p;
  p.state = text;
  if (!p.state.empty() && p.state.back() == '?') {
    p.optional = true;
    p.state.pop_back();
  }
  if (!is_tcp_state(p.state)) {
    std::string known;
    for (const auto& t : kTcpStates) known += (known.empty() ? "" : " ") + std::string(t.name);
    throw std::invalid_argument("unknown TCP state '" + text + "' (" + known + ", '?' for optional, '...' for any)");
  }
  p.state = strip_tcp_prefix(p.state);
  return p;
}

std::optional<std::string> match_states(const std::vector<StatePattern>& expected,
                                        const std::vector<std::string>& actual) {
  // Small lists: plain recursion over (pattern, state) positions.
  std::function<bool(std::size_t, std::size_t)> match = [&](std::size_t e, std::size_t a) -> bool {
    if (e == expected.size()) return a == actual.size();
    const auto& p = expected[e];
    if (p.state.empty()) {
      for (std::size_t j = a; j <= actual.size(); ++j)
        if (match(e + 1, j)) return true;
      return false;
    }
    if (a < actual.size() && actual[a] == p.state && match(e + 1, a + 1)) return true;
    return p.optional && match(e + 1, a);
  };
  if (match(0, 0)) return std::nullopt;
  return "expected " + join_patterns(expected) + " vs actual " + join_states(actual);
}

std::string join_states(const std::vector<std::string>& states) {
  std::string s = "[";
  for (std::size_t i = 0; i < states.size(); ++i) s += (i ? ", " : "") + states[i];
  return s + "]";
}

std::string join_patterns(const std::vector<StatePattern>& patterns) {
  std::vector<std::string> words;
  for (const auto& p : patterns) words.push_back(p.state.empty() ? "..." : p.state + (p.optional ? "?" : ""));
  return join_states(words);
}

}  // namespace closepath::pcap
