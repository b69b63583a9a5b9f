// The scenario language's reference, read from its registries: the peer and
// program actions, the wire faults, the barriers, the pattern words, the end
// words, the TCP states, the socket options, the tcp_info counters and the
// duration grammar. `closepath help words` prints it; docs/language.md holds
// its markdown (a test keeps the two equal), so neither is written by hand.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace closepath {

struct WordEntry {
  std::string word;      // what a scenario writes ("send", "len", "ECONNRESET")
  std::string synopsis;  // "send N"
  std::string doc;       // one line
  std::string example;   // as a scenario writes it, in the section's context; may be empty
};

struct WordSection {
  std::string key;    // "peer", "program", "wire", "wait", "pattern", "end", "state", "option", "counter", "duration"
  std::string title;  // "Peer steps"
  std::string where;  // where the words go: "- client: WORDS" ...
  std::vector<WordEntry> entries;
};

std::vector<WordSection> word_reference();

// As `closepath help words` prints it: plain text, markdown (the docs' section) or JSON.
std::string reference_text(const std::vector<WordSection>& sections);
std::string reference_markdown(const std::vector<WordSection>& sections);
nlohmann::json reference_json(const std::vector<WordSection>& sections);

}  // namespace closepath
