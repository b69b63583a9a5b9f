// What an action's parse and JSON are made of (actions.hpp): its words,
// whole numbers among them, quoted bytes (quoted_text.hpp), and a command's
// fields, each failing with a message that names the action and the word.
#pragma once

#include "quoted_text.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <stdexcept>
#include <string>
#include <vector>

namespace closepath::protocol {

using Words = std::vector<std::string>;

// A field of an action's command on the control channel (docs/protocol.md):
// what a peer in any language reads. An action that has fields declares
// them as `fields`; the protocol test holds them to what to_json writes.
struct Field {
  const char* name;
  const char* type;  // integer, string, boolean, hex (bytes as hexadecimal), PEM
  bool required;
  const char* doc;
};

// A whole number word; throws std::invalid_argument ("send needs a number, got 'lots'").
inline long long word_number(const std::string& w, const std::string& what) {
  long long v = 0;
  auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
  if (ec == std::errc::result_out_of_range) throw std::invalid_argument(what + ": '" + w + "' is far too large");
  if (w.empty() || ec != std::errc{} || ptr != w.data() + w.size())
    throw std::invalid_argument(what + " needs a number, got '" + w + "'");
  return v;
}

// A command's field `key` as a T; throws std::invalid_argument naming the op and the key.
template <typename T>
T json_field(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) throw std::invalid_argument(std::string("'") + j.value("op", "?") + "' needs '" + key + "'");
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::invalid_argument(std::string("'") + j.value("op", "?") + "': '" + key + "' has the wrong type");
  }
}

inline void want_words(const Words& args, std::size_t lo, std::size_t hi, const char* action) {
  if (args.size() < lo || args.size() > hi)
    throw std::invalid_argument("'" + std::string(action) + "' takes " +
                                (lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi)) +
                                " argument(s), got " + std::to_string(args.size()));
}

}  // namespace closepath::protocol
