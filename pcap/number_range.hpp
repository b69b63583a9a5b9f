// "N" or "LOW..HIGH" (both ends included): the one reading of a number range
// for every word that takes one - a packet's len and tsval, a tcp_info
// counter, a leftover socket's queues - and the one wording of its errors.
#pragma once

#include <cstdint>
#include <string>

namespace closepath::pcap {

struct NumberRange {
  std::uint64_t low = 0, high = 0;
  bool contains(std::uint64_t v) const { return v >= low && v <= high; }
  std::string text() const { return std::to_string(low) + (high != low ? ".." + std::to_string(high) : ""); }
  bool operator==(const NumberRange&) const = default;
};

// Throws std::invalid_argument naming the field and the word:
// "len takes N or LOW..HIGH, got 'x'", "len 9..1: LOW..HIGH needs LOW <= HIGH",
// "len 70000 is more than 65535".
NumberRange parse_number_range(const std::string& field, const std::string& word, std::uint64_t max);

}  // namespace closepath::pcap
