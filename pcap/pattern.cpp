#include "pattern.hpp"

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

std::uint32_t parse_number(const std::string& field, const std::string& word) {
  std::uint32_t v = 0;
  const auto* end = word.data() + word.size();
  auto [ptr, ec] = std::from_chars(word.data(), end, v);
  if (word.empty() || ec != std::errc{} || ptr != end)
    throw PatternError(field + " needs a non-negative number, got '" + word + "'");
  return v;
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

std::string field_text(const char* name, const std::optional<std::uint32_t>& v) {
  return v ? std::string(" ") + name + " " + std::to_string(*v) : "";
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
  for (std::size_t i = 2; i < words.size(); ++i) {
    const std::string& w = words[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= words.size()) throw PatternError("'" + w + "' needs a value");
      return words[++i];
    };
    if (w == "len") run.packet.len = parse_number("len", value());
    else if (w == "seq") run.packet.seq = parse_number("seq", value());
    else if (w == "ack") {
      const auto& v = value();
      if (v == "fin") run.packet.ack_fin = true;
      else run.packet.ack = parse_number("ack", v);
    }
    else if (w == "win") {
      const auto win = parse_number("win", value());
      if (win > 65535) throw PatternError("win " + std::to_string(win) + " does not fit the 16-bit window field");
      run.packet.win = static_cast<std::uint16_t>(win);
    }
    else if (w == "mss") {
      const auto mss = parse_number("mss", value());
      if (mss > 65535) throw PatternError("mss " + std::to_string(mss) + " does not fit the 16-bit option");
      run.packet.mss = static_cast<std::uint16_t>(mss);
    }
    else if (w == "wscale") {
      const auto shift = parse_number("wscale", value());
      if (shift > 14) throw PatternError("wscale " + std::to_string(shift) + " is above 14, the largest shift TCP allows");
      run.packet.wscale = static_cast<std::uint8_t>(shift);
    }
    else if (w == "sackOK") run.packet.sack_ok = true;
    else if (w == "TS") run.packet.timestamps = true;
    else if (w == "data") run.packet.data = true;
    else if (w == "gap") run.packet.gap = parse_window(value());
    else if (w == "at") {
      const auto window = parse_window(value());
      if (i + 3 >= words.size() || words[i + 1] != "after" || words[i + 2] != "step")
        throw PatternError("'at' reads 'at LOW..HIGH after step N'");
      run.packet.at = AnchoredWindow{parse_number("step", words[i + 3]), window};
      if (run.packet.at->anchor == 0) throw PatternError("steps count from 1");
      i += 3;
    }
    else if (w == "?" || (w.size() > 2 && w.front() == '{' && w.back() == '}')) {
      if (repeat_seen) throw PatternError("more than one repeat in '" + text + "'");
      repeat_seen = true;
      if (w == "?") { run.min = 0; run.max = 1; }
      else std::tie(run.min, run.max) = parse_repeat(w);
      if (run.max == 0) throw PatternError("repeat " + w + " matches nothing");
    } else {
      throw PatternError("unknown word '" + w + "' in pattern (expected len, seq, ack N|fin, win, mss, wscale, sackOK, TS, data, gap, at, {n}, {n,m} or ?)");
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
  std::string s = to_string(p.dir) + " " + (p.flags_include ? "+" : "") + (p.flags ? flag_letters(*p.flags) : "*") +
                  field_text("seq", p.seq) + field_text("ack", p.ack) + (p.ack_fin ? " ack fin" : "") +
                  field_text("len", p.len);
  if (p.win) s += " win " + std::to_string(*p.win);
  if (p.mss) s += " mss " + std::to_string(*p.mss);
  if (p.wscale) s += " wscale " + std::to_string(*p.wscale);
  if (p.sack_ok) s += " sackOK";
  if (p.timestamps) s += " TS";
  if (p.data) s += " data";
  if (p.gap) s += " gap " + window_text(*p.gap);
  if (p.at) s += " at " + window_text(p.at->window) + " after step " + std::to_string(p.at->anchor);
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
  if (pattern.data && packet.len == 0) return fail("data", "len 0");
  if (pattern.len && *pattern.len != packet.len)
    return fail("len " + std::to_string(*pattern.len), "len " + std::to_string(packet.len));
  if (pattern.win && *pattern.win != packet.window)
    return fail("win " + std::to_string(*pattern.win), "win " + std::to_string(packet.window));
  const auto& o = packet.options;
  if (pattern.mss && o.mss != pattern.mss)
    return fail("mss " + std::to_string(*pattern.mss), o.mss ? "mss " + std::to_string(*o.mss) : std::string("no mss"));
  if (pattern.wscale && o.wscale != pattern.wscale)
    return fail("wscale " + std::to_string(*pattern.wscale),
                o.wscale ? "wscale " + std::to_string(*o.wscale) : std::string("no wscale"));
  if (pattern.sack_ok && !o.sack_ok) return fail("sackOK", "no sackOK");
  if (pattern.timestamps && !o.timestamps) return fail("TS", "no TS");
  if (pattern.seq && *pattern.seq != packet.seq)
    return fail("seq " + std::to_string(*pattern.seq), "seq " + std::to_string(packet.seq));
  if (pattern.ack && (!(packet.flags & kAck) || *pattern.ack != packet.ack))
    return fail("ack " + std::to_string(*pattern.ack),
                (packet.flags & kAck) ? "ack " + std::to_string(packet.ack) : std::string("no ACK flag"));
  if (pattern.ack_fin && (!(packet.flags & kAck) || packet.peer_fin == 0 || packet.ack != packet.peer_fin))
    return fail(packet.peer_fin ? "ack fin (" + std::to_string(packet.peer_fin) + ")" : std::string("ack fin"),
                !(packet.flags & kAck) ? std::string("no ACK flag")
                : packet.peer_fin      ? "ack " + std::to_string(packet.ack)
                                       : "no FIN from the other side yet");
  if (pattern.gap) {
    if (!time.previous) return fail("gap " + window_text(*pattern.gap), "no packet before it");
    const auto gap = elapsed_ns(packet.mono_ns, time.previous->mono_ns);
    if (!in_window(*pattern.gap, gap)) return fail("gap " + window_text(*pattern.gap), "gap " + measured_text(gap, &*pattern.gap));
  }
  if (pattern.at) {
    const auto& a = *pattern.at;
    if (!time.anchors || a.anchor > time.anchors->size())
      return fail("at " + window_text(a.window) + " after step " + std::to_string(a.anchor), "no time for step " + std::to_string(a.anchor));
    const auto since = elapsed_ns(packet.mono_ns, (*time.anchors)[a.anchor - 1]);
    if (!in_window(a.window, since))
      return fail("at " + window_text(a.window) + " after step " + std::to_string(a.anchor), "at " + measured_text(since, &a.window));
  }
  return true;
}

}  // namespace closepath::pcap
