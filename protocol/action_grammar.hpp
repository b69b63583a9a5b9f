// Reading a vocabulary of structs (the peer actions, actions.hpp): which
// alternative a step's words name, the step rules each declares (or the
// defaults), and the words there are, for messages and help. Generic over
// the variant, so a new alternative needs nothing here.
#pragma once

#include "actions.hpp"
#include "overloaded.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace closepath::protocol {

// The step rules, as an action declares them or by default.
template <typename T>
constexpr bool may_run_in_background() {
  if constexpr (requires { T::background; }) return T::background;
  else return true;
}
template <typename T>
constexpr bool takes_outcome() {
  if constexpr (requires { T::outcome; }) return T::outcome;
  else return true;
}
template <typename T>
std::optional<std::uint64_t> bytes_moved(const T& a) {
  if constexpr (requires { T::moves(a); }) return T::moves(a);
  else return std::nullopt;
}
template <typename T>
const char* default_end() {
  if constexpr (requires { T::ends; }) return T::ends;
  else return end::ok;
}
template <typename T>
bool may_expect_tcp_info(const T& a) {
  if constexpr (requires { T::reads_tcp_info(a); }) return T::reads_tcp_info(a);
  else return false;
}

inline Words split_words(const std::string& text) {
  std::istringstream in(text);
  Words w;
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

// Every alternative of V that a scenario can name, its words in order: "listen, connect, ...".
template <typename V>
std::string known_words() {
  std::string known;
  for_each_alternative<V>([&](auto tag, std::size_t) {
    using T = typename decltype(tag)::type;
    if (T::word) known += (known.empty() ? "" : ", ") + std::string(T::word);
  });
  return known;
}

// The alternative of V whose word opens `words` (the longest such), parsed
// from the words after it. Throws std::invalid_argument naming the words there are.
template <typename V>
V parse_words(const Words& words) {
  // Which alternative: the one whose own words open the step, the longest such ("send message" over "send").
  std::size_t best = std::variant_size_v<V>, longest = 0;
  for_each_alternative<V>([&](auto tag, std::size_t i) {
    using T = typename decltype(tag)::type;
    if (!T::word) return;
    const auto own = split_words(T::word);
    if (own.size() > longest && own.size() <= words.size() && std::equal(own.begin(), own.end(), words.begin()))
      best = i, longest = own.size();
  });
  if (best == std::variant_size_v<V>) {
    // "tls dance": the actions that open with its first word, by what follows it.
    std::vector<std::string> next;
    for_each_alternative<V>([&](auto tag, std::size_t) {
      using T = typename decltype(tag)::type;
      if (!T::word || words.empty()) return;
      const auto own = split_words(T::word);
      if (own.size() > 1 && own[0] == words[0]) next.push_back(own[1]);
    });
    if (!next.empty()) {
      std::string choices;
      for (std::size_t k = 0; k < next.size(); ++k)
        choices += (k == 0 ? "" : k + 1 == next.size() ? " or " : ", ") + next[k];
      throw std::invalid_argument(words[0] + " takes " + choices + ", got '" + (words.size() > 1 ? words[1] : "") + "'");
    }
    throw std::invalid_argument("unknown action '" + (words.empty() ? std::string() : words[0]) + "' (known: " +
                                known_words<V>() + ")");
  }
  const Words rest(words.begin() + static_cast<std::ptrdiff_t>(longest), words.end());
  std::optional<V> found;
  for_each_alternative<V>([&](auto tag, std::size_t i) {
    using T = typename decltype(tag)::type;
    if constexpr (requires { T::parse(rest); })  // the runner's own (word null) have no grammar
      if (i == best) found.emplace(T::parse(rest));
  });
  return std::move(*found);
}

}  // namespace closepath::protocol
