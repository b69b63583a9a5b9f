// The placeholders a program's arguments may hold ({server}, {port}, ...):
// the one table of them, read by the exec step's grammar (an unknown one is
// refused when the file is read), by the runner (each replaced by its value
// for the run) and by `closepath help words`.
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
};

std::span<const Placeholder> placeholders();
const Placeholder* find_placeholder(std::string_view name);
// "{server} {client} ...", for messages.
std::string placeholder_names();
// `word` with each placeholder replaced once, left to right: a value that
// holds a placeholder's name (a directory called "{port}") stays as it is.
std::string substitute(const std::string& word, const PlaceholderValues& v);

}  // namespace closepath
