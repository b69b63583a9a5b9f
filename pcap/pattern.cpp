#include "pattern.hpp"

#include "pattern_words.hpp"

#include <algorithm>
#include <charconv>
#include <iomanip>
#include <cmath>
#include <sstream>
#include <tuple>

namespace closepath::pcap {
namespace {

constexpr std::size_t kMaxRepeat = 1'000'000;

std::uint8_t parse_flags(const std::string& word) {
  std::uint8_t flags = 0;
  for (char c : word) {
    const std::uint8_t bit = flag_bit(c);
    if (bit == 0) {
      std::string letters;
      for (const auto& f : kFlagLetters) letters += std::string(letters.empty() ? "" : " ") + f.letter;
      throw PatternError("unknown TCP flag '" + std::string(1, c) + "' in '" + word + "' (use " + letters + " or *)");
    }
    if (flags & bit) throw PatternError("flag '" + std::string(1, c) + "' repeated in '" + word + "'");
    flags |= bit;
  }
  return flags;
}

std::size_t parse_count(const std::string& word) {
  std::size_t v = 0;
  auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
  if (word.empty() || ec != std::errc{} || ptr != word.data() + word.size() || v > kMaxRepeat)
    throw PatternError("bad repeat count '" + word + "' (a number up to " + std::to_string(kMaxRepeat) + ")");
  return v;
}

// "{2}", "{1,}", "{0,3}"
std::pair<std::size_t, std::size_t> parse_repeat(const std::string& word) {
  const std::string inner = word.substr(1, word.size() - 2);
  const auto comma = inner.find(',');
  if (comma == std::string::npos) {
    const auto n = parse_count(inner);
    return {n, n};
  }
  const auto lo = parse_count(inner.substr(0, comma));
  const std::string hi_text = inner.substr(comma + 1);
  const auto hi = hi_text.empty() ? kUnbounded : parse_count(hi_text);
  if (hi < lo) throw PatternError("repeat " + word + " has max below min");
  return {lo, hi};
}


// Exact, so a pattern prints back to what it parses from: "2s", "800ms", "1.5ms".
std::string time_text(std::int64_t ns) {
  if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
  std::string text = std::to_string(ns / 1'000'000);
  if (const auto rest = ns % 1'000'000; rest != 0) {
    std::string fraction = std::to_string(rest < 0 ? -rest : rest);
    fraction.insert(0, 6 - fraction.size(), '0');
    fraction.erase(fraction.find_last_not_of('0') + 1);
    text += "." + fraction;
  }
  return text + "ms";
}

}  // namespace

std::string measured_text(std::int64_t ns, const TimeWindow* window) {
  // The unit by size; then as many decimals as it takes for the printed
  // value to lie on the same side of the window as the measured one.
  const std::int64_t magnitude = ns < 0 ? -ns : ns;
  const auto [unit_ns, suffix, first, last] = magnitude >= 1'000'000'000 ? std::tuple{1e9, "s", 3, 9}
                                              : magnitude >= 1'000'000   ? std::tuple{1e6, "ms", 1, 6}
                                                                         : std::tuple{1e3, "us", 0, 3};
  const double value = static_cast<double>(ns) / unit_ns;
  std::string text;
  for (int digits = first; digits <= last; ++digits) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(digits) << value;
    text = out.str();
    const double scale = std::pow(10.0, digits);
    const auto shown_ns = std::llround(std::round(value * scale) / scale * unit_ns);
    if (!window || in_window(*window, shown_ns) == in_window(*window, ns)) break;
  }
  return text + suffix;
}

std::string window_text(const TimeWindow& w) {
  // "0ms..50ms" as written, not "0s..50ms": a zero bound takes the other's unit.
  const std::string hi = time_text(w.hi_ns);
  const std::string lo = w.lo_ns == 0 && hi.ends_with("ms") ? "0ms" : time_text(w.lo_ns);
  return lo + ".." + hi;
}

bool in_window(const TimeWindow& w, std::int64_t ns) { return ns >= w.lo_ns && ns <= w.hi_ns; }

std::int64_t parse_time(const std::string& text) {
  std::size_t unit = text.find_first_not_of("0123456789.");
  if (unit == 0 || unit == std::string::npos) throw PatternError("bad time '" + text + "' (write e.g. 800ms or 1.5s)");
  const std::string number = text.substr(0, unit), suffix = text.substr(unit);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc{} || ptr != number.data() + number.size()) throw PatternError("bad time '" + text + "'");
  if (suffix != "ms" && suffix != "s") throw PatternError("bad time unit in '" + text + "' (ms or s)");
  const double ns = value * (suffix == "ms" ? 1e6 : 1e9);
  // Bounded before the conversion: a double beyond int64 has no defined conversion.
  if (!(ns >= 0) || ns > static_cast<double>(kMaxTimeNs))
    throw PatternError("time '" + text + "' is beyond " + std::to_string(kMaxTimeNs / 1'000'000'000) + " s");
  // Rounded, not truncated: "0.001017ms" is 1016.99999... ns in floating point, and must read as 1017.
  return std::llround(ns);
}

TimeWindow parse_window(const std::string& text) {
  const auto dots = text.find("..");
  if (dots == std::string::npos) throw PatternError("a time window reads LOW..HIGH, e.g. 0.8s..1.5s, got '" + text + "'");
  TimeWindow w{parse_time(text.substr(0, dots)), parse_time(text.substr(dots + 2))};
  if (w.hi_ns < w.lo_ns) throw PatternError("time window '" + text + "' ends before it starts");
  return w;
}

PatternElement parse_pattern(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  if (words.empty()) throw PatternError("empty wire pattern");
  if (words.size() == 1 && words[0] == "...") return AnyPackets{};

  PacketRun run;
  if (words[0] == "c>s") run.packet.dir = Dir::c2s;
  else if (words[0] == "s>c") run.packet.dir = Dir::s2c;
  else throw PatternError("pattern must start with c>s, s>c or be '...', got '" + words[0] + "'");
  if (words.size() < 2) throw PatternError("pattern '" + text + "' needs flags after the direction (e.g. S. or *)");
  if (words[1] != "*") {
    if (words[1] == "+") throw PatternError("'+' needs flags after it, e.g. +F");
    run.packet.flags_include = words[1].front() == '+';
    run.packet.flags = parse_flags(run.packet.flags_include ? words[1].substr(1) : words[1]);
  }

  bool repeat_seen = false;
  std::vector<const PatternWord*> named;
  for (std::size_t i = 2; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (const auto* word = find_pattern_word(w)) {
      if (std::find(named.begin(), named.end(), word) != named.end())
        throw PatternError("'" + w + "' is given twice in '" + text + "'");
      named.push_back(word);
      i = word->parse(run.packet, words, i) - 1;
      continue;
    }
    if (w == "?" || (w.size() > 2 && w.front() == '{' && w.back() == '}')) {
      if (repeat_seen) throw PatternError("more than one repeat in '" + text + "'");
      repeat_seen = true;
      if (w == "?") { run.min = 0; run.max = 1; }
      else std::tie(run.min, run.max) = parse_repeat(w);
      if (run.max == 0) throw PatternError("repeat " + w + " matches nothing");
    } else {
      std::string known;
      for (const auto& word : pattern_words()) known += std::string(word.synopsis) + ", ";
      throw PatternError("unknown word '" + w + "' in pattern (expected " + known + "{n}, {n,m} or ?)");
    }
  }
  return run;
}

PacketPattern parse_packet_pattern(const std::string& text) {
  auto e = parse_pattern(text);
  const auto* run = std::get_if<PacketRun>(&e);
  if (!run) throw PatternError("'...' cannot stand alone here: name one packet");
  if (run->min != 1 || run->max != 1) throw PatternError("a single-packet pattern takes no repeat: '" + text + "'");
  return run->packet;
}

std::string to_string(const PacketPattern& p) {
  std::string s = to_string(p.dir) + " " + (p.flags_include ? "+" : "") + (p.flags ? flag_letters(*p.flags) : "*");
  for (const auto& word : pattern_words()) word.print(p, s);
  return s;
}

std::string to_string(const PatternElement& e) {
  if (std::holds_alternative<AnyPackets>(e)) return "...";
  const auto& run = std::get<PacketRun>(e);
  std::string s = to_string(run.packet);
  if (run.min == 0 && run.max == 1) return s + " ?";
  if (run.min == 1 && run.max == 1) return s;
  if (run.min == run.max) return s + " {" + std::to_string(run.min) + "}";
  return s + " {" + std::to_string(run.min) + "," + (run.max == kUnbounded ? "" : std::to_string(run.max)) + "}";
}

bool packet_matches(const PacketPattern& pattern, const FlowPacket& packet, std::string* why, const MatchTime& time) {
  auto fail = [&](const std::string& expected, const std::string& actual) {
    if (why) *why = "expected " + expected + " vs actual " + actual;
    return false;
  };
  if (pattern.dir != packet.dir) return fail(to_string(pattern.dir), to_string(packet.dir));
  if (pattern.flags && !pattern.flags_include && *pattern.flags != packet.flags)
    return fail(flag_letters(*pattern.flags), flag_letters(packet.flags));
  if (pattern.flags && pattern.flags_include && (packet.flags & *pattern.flags) != *pattern.flags)
    return fail("+" + flag_letters(*pattern.flags), flag_letters(packet.flags));
  std::string mismatch;
  for (const auto& word : pattern_words())
    if (!word.check(pattern, packet, time, mismatch)) {
      if (why) *why = std::move(mismatch);
      return false;
    }
  return true;
}

}  // namespace closepath::pcap
