// The placeholders a program's arguments, its world (programs: env, cwd,
// stdin) and the files it renders may hold ({server}, {port}, ...): the one
// table of them, read by the grammars (an unknown one is refused when the
// file is read), by the runner (each replaced by its value for the run) and
// by `closepath help words`.
#pragma once

#include "hosts.hpp"

#include <span>
#include <string>
#include <string_view>

namespace closepath {

// What a run gives its placeholders.
struct PlaceholderValues {
  Family family = Family::ipv4;
  int server_port = 0;
  std::string scenario_dir, out_dir;  // absolute
};

struct Placeholder {
  const char* name;  // "{server}"
  const char* doc;
  const char* example;  // an exec step that uses it
  std::string (*value)(const PlaceholderValues&);
  bool credentials = false;  // names a file of the run's TLS credentials: using it makes them
};

std::span<const Placeholder> placeholders();
const Placeholder* find_placeholder(std::string_view name);
// "{server} {client} ...", for messages.
std::string placeholder_names();
// Throws std::invalid_argument at the first {word} of `text` that is no placeholder.
void check_placeholders(const std::string& text);
// Whether `text` holds {ca}, {cert} or {key}.
bool names_credentials(const std::string& text);
// `word` with each placeholder replaced once, left to right: a value that
// holds a placeholder's name (a directory called "{port}") stays as it is.
std::string substitute(const std::string& word, const PlaceholderValues& v);

}  // namespace closepath
