// The pattern words: the one table of what may follow a pattern's direction
// and flags ("len 100", "ack fin", "win 0", "gap 1s..2s"). Each entry
// parses its word into a PacketPattern, prints it back, and checks it
// against a packet; the parser, to_string, packet_matches and `closepath
// help words` all read this table, so a word means the same in `expect`,
// `forbid`, a fault and a barrier. Adding a word: its field in
// PacketPattern (pattern.hpp), its entry (pattern_words.cpp), a test, a
// scenario that uses it.
#pragma once

#include "pattern.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace closepath::pcap {

// Where a packet pattern is read. Each word says where it may appear, and
// check_places refuses it elsewhere, so every reader refuses it alike.
enum class PatternPlace : std::uint8_t { expect, forbid, barrier, fault };
constexpr std::uint8_t place_bit(PatternPlace p) { return static_cast<std::uint8_t>(1u << static_cast<unsigned>(p)); }
inline constexpr std::uint8_t kEveryPlace = 0x0f;
inline constexpr std::uint8_t kExpectOnly = 1u << static_cast<unsigned>(PatternPlace::expect);

struct PatternWord {
  const char* word;      // "len"
  const char* synopsis;  // "len N"
  const char* doc;
  const char* example;   // a whole pattern that uses it: "c>s P. len 100"
  std::uint8_t places;   // PatternPlace bits: where it may appear
  const char* elsewhere; // why it may not appear elsewhere ("" when it may appear everywhere)
  // Parses the word at words[i] (and its values); returns the index after them. Throws PatternError.
  std::size_t (*parse)(PacketPattern& p, const std::vector<std::string>& words, std::size_t i);
  // Appends " len 100" when the pattern names it.
  void (*print)(const PacketPattern& p, std::string& out);
  // Whether the packet has what the pattern names (true when it names nothing);
  // when not, `why` gets "expected X vs actual Y".
  bool (*check)(const PacketPattern& p, const FlowPacket& packet, const MatchTime& time, std::string& why);
};

// In the order they print and are checked.
std::span<const PatternWord> pattern_words();
const PatternWord* find_pattern_word(const std::string& word);
// Throws PatternError when `p` names a word that may not appear in `place`:
// "a fault's pattern takes no 'gap': a timing window is judged on the whole run".
void check_places(const PacketPattern& p, PatternPlace place);
// "expect.wire only", "not in a fault's pattern": where a word may appear, for the reference.
std::string places_text(const PatternWord& w);

}  // namespace closepath::pcap
