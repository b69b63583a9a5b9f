// The wire step grammar: each fault's `parse` (its synopsis and doc are in
// wire_faults.hpp; impair's is impair_parser.cpp), and the barrier `wait: PATTERN [{N}] [within D]`.
#include "scenario_parser.hpp"

#include "action_grammar.hpp"
#include "pattern_words.hpp"

#include <algorithm>
#include <charconv>
#include <regex>
#include <set>
#include <sstream>
#include <utility>

namespace closepath {


namespace {

constexpr std::size_t kMaxDropCount = 1'000'000;

std::string join(const std::vector<std::string>& words, std::size_t from, std::size_t to) {
  std::string s;
  for (std::size_t i = from; i < to; ++i) s += (s.empty() ? "" : " ") + words[i];
  return s;
}

Dirs dirs_of(const std::string& w) {
  if (const auto dirs = pcap::dirs_named(w)) return *dirs;
  throw std::invalid_argument("expected c>s, s>c or both, got '" + w + "'");
}

pcap::PacketPattern packet(const std::string& text) {
  pcap::PacketPattern p;
  try {
    p = pcap::parse_packet_pattern(text);
    pcap::check_places(p, pcap::PatternPlace::fault);
  } catch (const pcap::PatternError& e) {
    throw std::invalid_argument(std::string(e.what()) + ": '" + text + "'");
  }
  return p;
}

// How many packets a fault names (drop, duplicate: count N; release N): 1 to kMaxDropCount.
std::size_t packet_count(const char* what, const std::string& word) {
  std::size_t n = 0;
  const auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), n);
  if (ec != std::errc{} || ptr != word.data() + word.size() || n < 1 || n > kMaxDropCount)
    throw std::invalid_argument(std::string(what) + " needs a number from 1 to " + std::to_string(kMaxDropCount) + ", got '" + word + "'");
  return n;
}

void want(const std::vector<std::string>& w, std::size_t lo, std::size_t hi, const std::string& form) {
  if (w.size() < lo || w.size() > hi) throw std::invalid_argument("write '" + form + "'");
}

}  // namespace

std::variant<WaitStep, WireWait> parse_wait_step(const std::string& text) {
  auto w = words_of(text);
  if (!w.empty() && w[0] == "quiet") {
    want(w, 3, 3, Quiet::synopsis);
    return WaitStep{parse_duration(w[2]), Quiet{dirs_of(w[1])}};
  }
  const bool next = !w.empty() && w[0] == "next";
  if (next) w.erase(w.begin());
  if (w.empty() || (w[0] != "c>s" && w[0] != "s>c")) {
    if (next) throw std::invalid_argument("'next' needs a packet pattern after it, e.g. 'next c>s . len 0'");
    return WaitStep{parse_duration(text)};
  }
  if (std::find(w.begin(), w.end(), "->") != w.end())
    throw std::invalid_argument("a wire wait takes no outcome ('->'): it waits for packets, and fails the run, naming "
                                "the pattern, when too few come within its time");
  WireWait barrier;
  if (const auto within = take_within(w)) barrier.within = *within;
  pcap::PatternElement element;
  try {
    element = pcap::parse_pattern(join(w, 0, w.size()));
    if (const auto* run = std::get_if<pcap::PacketRun>(&element)) pcap::check_places(run->packet, pcap::PatternPlace::barrier);
  } catch (const pcap::PatternError& e) {
    throw std::invalid_argument(e.what());
  }
  const auto& run = std::get<pcap::PacketRun>(element);  // starts with a direction: never "..."
  if (run.min == 0 || run.max != run.min)
    throw std::invalid_argument("a wire wait counts packets: '{N}' (at least N of them), not '?' or a range");
  barrier.match = run.packet;
  barrier.count = run.min;
  barrier.next = next;
  return barrier;
}

Blackhole Blackhole::parse(const std::vector<std::string>& w) {
  want(w, 2, 2, synopsis);
  return {dirs_of(w[1])};
}

Heal Heal::parse(const std::vector<std::string>& w) {
  want(w, 1, 1, synopsis);
  return {};
}

Release Release::parse(const std::vector<std::string>& w) {
  want(w, 1, 2, synopsis);
  if (w.size() == 1) return {};
  return {packet_count("release N", w[1])};
}

namespace {

// "WORD PATTERN [count N]": the pattern and the count (default 1).
std::pair<pcap::PacketPattern, std::size_t> pattern_and_count(const std::vector<std::string>& w, const char* synopsis) {
  std::size_t end = w.size(), count = 1;
  if (w.size() >= 4 && w[w.size() - 2] == "count") {
    count = packet_count("count", w.back());
    end -= 2;
  }
  want(w, 3, w.size(), synopsis);
  return {packet(join(w, 1, end)), count};
}

}  // namespace

Drop Drop::parse(const std::vector<std::string>& w) {
  auto [match, count] = pattern_and_count(w, synopsis);
  return {match, count};
}

Duplicate Duplicate::parse(const std::vector<std::string>& w) {
  auto [match, count] = pattern_and_count(w, synopsis);
  return {match, count};
}

Hold Hold::parse(const std::vector<std::string>& w) {
  Hold h;
  const auto until = std::find(w.begin(), w.end(), "until");
  const auto split = static_cast<std::size_t>(until - w.begin());
  if (split < 3) throw std::invalid_argument(std::string("write '") + synopsis + "'");
  h.match = packet(join(w, 1, split));
  if (until != w.end()) {
    if (split + 1 >= w.size()) throw std::invalid_argument("'until' needs a pattern");
    h.until = packet(join(w, split + 1, w.size()));
  }
  return h;
}

Delay Delay::parse(const std::vector<std::string>& w) {
  want(w, 3, 3, synopsis);
  return {dirs_of(w[1]), parse_duration(w[2])};
}

namespace {

// "+N" or "-N": an offset from where the wire has the connection.
std::int64_t offset(const std::string& field, const std::string& w) {
  std::int64_t v = 0;
  const bool signed_ = !w.empty() && (w[0] == '+' || w[0] == '-');
  const auto* first = w.data() + (signed_ && w[0] == '+' ? 1 : 0);
  const auto [ptr, ec] = std::from_chars(first, w.data() + w.size(), v);
  if (!signed_ || ec != std::errc{} || ptr != w.data() + w.size() || v > (1LL << 31) || v < -(1LL << 31))
    throw std::invalid_argument(field + " takes +N or -N (relative to where the wire has the connection), got '" + w + "'");
  return v;
}

// The numeric fields of an injected segment and their largest values.
std::optional<std::uint32_t> field_max(const std::string& field) {
  if (field == "len") return 1400;
  if (field == "win" || field == "mss") return 65535;
  if (field == "wscale") return 14;
  return std::nullopt;
}

std::uint32_t bounded(const std::string& field, const std::string& v, std::uint32_t max) {
  std::uint32_t n = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || ptr != v.data() + v.size() || n > max)
    throw std::invalid_argument(field + " takes a number from 0 to " + std::to_string(max) + ", got '" + v + "'");
  return n;
}

InjectedSegment injected_segment(const std::vector<std::string>& w) {
  InjectedSegment s;
  pcap::PacketPattern head;
  try {
    head = pcap::parse_packet_pattern(w[1] + " " + (w.size() > 2 ? w[2] : ""));
  } catch (const pcap::PatternError& e) {
    throw std::invalid_argument(std::string("inject DIR FLAGS: ") + e.what());
  }
  if (!head.flags || head.flags_include) throw std::invalid_argument("inject DIR FLAGS takes exact flags (S, F., P., R, ...), not '" + w[2] + "'");
  s.dir = head.dir;
  s.flags = *head.flags;
  std::set<std::string> given;
  for (std::size_t i = 3; i < w.size(); ++i) {
    const auto& field = w[i];
    if (!given.insert(field).second) throw std::invalid_argument("'" + field + "' is given twice");
    if (field == "sackOK" || field == "TS") {
      (field == "TS" ? s.options.timestamps : s.options.sack_ok) = true;
      continue;
    }
    if (++i == w.size()) throw std::invalid_argument("'" + field + "' needs a value");
    const auto& v = w[i];
    if (field == "seq") s.seq = offset(field, v);
    else if (field == "ack") s.ack = offset(field, v);
    else if (field == "tsval") {
      s.ts_offset = offset(field, v);
      s.options.timestamps = true;
    } else if (const auto max = field_max(field)) {
      const auto n = bounded(field, v, *max);
      if (field == "len") s.len = n;
      else if (field == "win") s.win = static_cast<std::uint16_t>(n);
      else if (field == "mss") s.options.mss = static_cast<std::uint16_t>(n);
      else s.options.wscale = static_cast<std::uint8_t>(n);
    } else {
      throw std::invalid_argument("unknown inject field '" + field + "' (known: seq, ack, len, win, mss, wscale, sackOK, TS, tsval)");
    }
  }
  return s;
}

}  // namespace

Inject Inject::parse(const std::vector<std::string>& w) {
  if (w.size() >= 3 && (w[1] == "c>s" || w[1] == "s>c")) {
    Inject r;
    r.segment = injected_segment(w);
    return r;
  }
  want(w, 4, 5, "inject rst toward client|server|both [exact|in-window]' or 'inject c>s|s>c FLAGS [seq +N|-N] [ack +N|-N] [len N] [win N] [mss N] [wscale N] [sackOK] [TS] [tsval +N|-N]");
  if (w[1] != "rst" || w[2] != "toward")
    throw std::invalid_argument("write 'inject rst toward client|server|both' or 'inject c>s|s>c FLAGS [seq +N|-N] ...'");
  Inject r;
  if (w[3] == "server") r.toward = {Side::server};
  else if (w[3] == "client") r.toward = {Side::client};
  else if (w[3] == "both") r.toward = {Side::client, Side::server};
  else throw std::invalid_argument("inject rst toward client, server or both, got '" + w[3] + "'");
  if (w.size() == 5) {
    if (w[4] != "exact" && w[4] != "in-window") throw std::invalid_argument("expected exact or in-window, got '" + w[4] + "'");
    r.exact = w[4] == "exact";
  }
  return r;
}

Netem Netem::parse(const std::vector<std::string>& w) {
  want(w, 3, 40, "netem c>s|s>c|both ARGS (e.g. delay 50ms 10ms loss 1%)");
  Netem n{dirs_of(w[1]), {w.begin() + 2, w.end()}};
  // Passed to tc as separate arguments, never through a shell; still, only
  // netem's own vocabulary: its keywords and values (50ms, 1%, 25, 1mbit),
  // never an option tc would read ("-batch FILE").
  static const std::set<std::string> keywords{"limit", "delay", "distribution", "loss", "random", "state", "gemodel",
                                              "corrupt", "duplicate", "reorder", "gap", "rate", "slot", "ecn",
                                              "normal", "pareto", "paretonormal", "uniform", "packets", "bytes"};
  static const std::regex value(R"([0-9][0-9.]*(us|ms|s|%|bit|kbit|mbit|gbit|bps|kbps|mbps|gbps)?)");
  for (const auto& a : n.args)
    if (!keywords.count(a) && !std::regex_match(a, value))
      throw std::invalid_argument("netem argument '" + a + "' is neither a netem keyword (" +
                                  "delay loss duplicate reorder corrupt rate ...) nor a value such as 50ms, 1% or 1mbit");
  return n;
}

WireStep parse_wire_step(const std::string& text) {
  const auto w = words_of(text);
  if (w.empty()) throw std::invalid_argument("empty wire step: name a fault");
  // The fault whose word opens the step; each parses the whole step.
  std::optional<WireAction> fault;
  for_each_alternative<WireAction>([&](auto tag, std::size_t) {
    using T = typename decltype(tag)::type;
    if (!fault && w[0] == T::word) fault.emplace(T::parse(w));
  });
  if (!fault) throw std::invalid_argument("unknown wire fault '" + w[0] + "' (known: " + protocol::known_words<WireAction>() + ")");
  return {std::move(*fault)};
}

}  // namespace closepath
