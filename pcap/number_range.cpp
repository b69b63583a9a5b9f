#include "number_range.hpp"

#include <charconv>
#include <stdexcept>

namespace closepath::pcap {

NumberRange parse_number_range(const std::string& field, const std::string& word, std::uint64_t max) {
  auto number = [&](const std::string& text) {
    std::uint64_t v = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc{} || ptr != end) throw std::invalid_argument(field + " takes N or LOW..HIGH, got '" + word + "'");
    if (v > max) throw std::invalid_argument(field + " " + word + " is more than " + std::to_string(max));
    return v;
  };
  const auto dots = word.find("..");
  const NumberRange r{number(word.substr(0, dots)), dots == std::string::npos ? number(word) : number(word.substr(dots + 2))};
  if (r.high < r.low) throw std::invalid_argument(field + " " + word + ": LOW..HIGH needs LOW <= HIGH");
  return r;
}

}  // namespace closepath::pcap
