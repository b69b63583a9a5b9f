// The step grammar:  ACTION [ARGS] [within DURATION] [-> [BYTES] [END] [FIELD VALUE]... [at LOW..HIGH after step N]]
#include "outcome.hpp"
#include "scenario_parser.hpp"
#include "socket_options.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <regex>
#include <set>
#include <sstream>

namespace closepath {

std::vector<std::string> words_of(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::optional<std::chrono::milliseconds> take_within(std::vector<std::string>& words) {
  if (words.size() < 2 || words[words.size() - 2] != "within") return std::nullopt;
  const auto d = parse_duration(words.back());
  words.resize(words.size() - 2);
  return d;
}

namespace {

bool is_number(const std::string& w) {
  return !w.empty() && w.find_first_not_of("0123456789") == std::string::npos;
}

long long number(const std::string& w, const std::string& what) {
  long long v = 0;
  auto [ptr, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
  if (ec == std::errc::result_out_of_range) throw std::invalid_argument(what + ": '" + w + "' is far too large");
  if (w.empty() || ec != std::errc{} || ptr != w.data() + w.size())
    throw std::invalid_argument(what + " needs a number, got '" + w + "'");
  return v;
}

const std::set<std::string>& errno_names() {
  static const std::set<std::string> names = [] {
    std::set<std::string> s;
    for (int e = 1; e < 200; ++e)
      if (const char* n = strerrorname_np(e)) s.insert(n);
    return s;
  }();
  return names;
}

void check_end_name(const std::string& end) {
  if (protocol::is_end_word(end) || errno_names().count(end)) return;
  throw std::invalid_argument("unknown outcome '" + end + "' (expected " + protocol::end_words_text() +
                              " or an errno name such as ECONNRESET)");
}

bool is_info_field(const std::string& w) {
  const auto& names = protocol::tcp_info_counter_names();
  return w == "state" || std::find(names.begin(), names.end(), w) != names.end();
}

// "N" or "LOW..HIGH", inclusive.
std::pair<std::uint64_t, std::uint64_t> counter_range(const std::string& field, const std::string& w) {
  const auto dots = w.find("..");
  const auto low = number(w.substr(0, dots), field);
  const auto high = dots == std::string::npos ? low : number(w.substr(dots + 2), field);
  if (low < 0 || high < low) throw std::invalid_argument(field + ": '" + w + "' is not N or LOW..HIGH with LOW <= HIGH");
  return {static_cast<std::uint64_t>(low), static_cast<std::uint64_t>(high)};
}

// `state NAME`, `COUNTER N`, `COUNTER LOW..HIGH`, from words[i] on; returns where they end.
std::size_t parse_info_fields(const std::vector<std::string>& words, std::size_t i, ExpectedOutcome& out) {
  for (; i < words.size() && is_info_field(words[i]); i += 2) {
    const auto& field = words[i];
    if (i + 1 == words.size()) throw std::invalid_argument("'" + field + "' needs a value, e.g. '" + field + (field == "state" ? " FIN_WAIT1'" : " 2'"));
    if (field == "state") {
      if (out.state) throw std::invalid_argument("'state' is given twice");
      const auto p = pcap::parse_state_pattern(words[i + 1]);
      if (p.state.empty() || p.optional) throw std::invalid_argument("'state' takes one state name, got '" + words[i + 1] + "'");
      out.state = p.state;
    } else {
      if (out.counters.count(field)) throw std::invalid_argument("'" + field + "' is given twice");
      out.counters[field] = counter_range(field, words[i + 1]);
    }
  }
  return i;
}

ExpectedOutcome parse_outcome(const std::vector<std::string>& words) {
  ExpectedOutcome out;
  std::size_t i = 0;
  if (i < words.size() && is_number(words[i])) out.bytes = static_cast<std::uint64_t>(number(words[i++], "byte count"));
  if (i < words.size() && words[i] != "at" && !is_info_field(words[i])) {
    check_end_name(words[i]);
    out.end = words[i++];
  }
  i = parse_info_fields(words, i, out);
  if (i == 0) throw std::invalid_argument("'->' needs an outcome, e.g. '-> eof' or '-> 1000'");
  if (i < words.size() && words[i] == "at") {  // at LOW..HIGH after step N
    if (words.size() - i != 5 || words[i + 2] != "after" || words[i + 3] != "step")
      throw std::invalid_argument(
          "an outcome's time reads 'at LOW..HIGH after step N', e.g. '-> ETIMEDOUT at 2.5s..3.5s after step 4'");
    const auto anchor = number(words[i + 4], "step");
    if (anchor < 1) throw std::invalid_argument("steps count from 1");
    try {
      out.at = pcap::AnchoredWindow{static_cast<std::size_t>(anchor), pcap::parse_window(words[i + 1])};
    } catch (const pcap::PatternError& e) {
      throw std::invalid_argument(e.what());
    }
    i += 5;
  }
  if (i < words.size()) throw std::invalid_argument("unexpected '" + words[i] + "' after the outcome");
  return out;
}

int option_value(const protocol::SocketOptionSpec& option, const std::string& w) {
  const std::string name = option.name;
  if (option.kind == protocol::SocketOptionSpec::Kind::linger && w == "off") return -1;
  if (w == "on") return 1;
  if (w == "off") return 0;
  const auto v = number(w, "set " + name);
  if (v < 0 || v > 1'000'000'000) throw std::invalid_argument("set " + name + ": value out of range");
  return static_cast<int>(v);
}

}  // namespace

// The one grammar of times (pcap::parse_time: "500ms", "1.5s"), to the millisecond.
std::chrono::milliseconds parse_duration(const std::string& text) {
  std::int64_t ns = 0;
  static const std::regex number_and_unit(R"([0-9]+(\.[0-9]+)?(ms|s))");
  const bool well_formed = std::regex_match(text, number_and_unit);
  try {
    if (well_formed) ns = pcap::parse_time(text);
  } catch (const pcap::PatternError&) {
    ns = -1;  // beyond any time a pattern may name: longer than any duration too
  }
  if (!well_formed) throw std::invalid_argument("bad duration '" + text + "' (write e.g. 500ms, 1.5s or 2s)");
  if (ns < 0 || ns > std::chrono::nanoseconds(kMaxDuration).count())
    throw std::invalid_argument("duration '" + text + "' is longer than " + std::to_string(kMaxDuration.count() / 1000) +
                                " s: no scenario waits that long (shorten the kernel's timers instead)");
  if (ns % 1'000'000 != 0) throw std::invalid_argument("duration '" + text + "' is not a whole number of milliseconds");
  const std::chrono::milliseconds d(ns / 1'000'000);
  if (d > kMaxDuration)
    throw std::invalid_argument("duration '" + text + "' is longer than " + std::to_string(kMaxDuration.count() / 1000) +
                                " s: no scenario waits that long (shorten the kernel's timers instead)");
  return d;
}

PeerStep parse_peer_step(Side side, const std::string& text) {
  PeerStep step;
  step.side = side;
  std::string body = text;
  if (const auto last = body.find_last_not_of(" \t"); last != std::string::npos && body[last] == '&') {
    step.background = true;
    body.resize(last);
  }
  const auto arrow = body.find("->");
  auto words = words_of(body.substr(0, arrow));
  if (arrow != std::string::npos) step.expect = parse_outcome(words_of(body.substr(arrow + 2)));
  if (words.empty()) throw std::invalid_argument("empty step: name an action");

  // "within D" may close any action that waits.
  if (const auto within = take_within(words)) {
    step.within = *within;
    if (words.empty()) throw std::invalid_argument("'within' needs an action before it, e.g. 'recv within 2s'");
  }
  const std::string verb = words[0];
  const std::size_t argc = words.size() - 1;
  auto want_args = [&](std::size_t lo, std::size_t hi) {
    if (argc < lo || argc > hi)
      throw std::invalid_argument("'" + verb + "' takes " +
                                  (lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi)) +
                                  " argument(s), got " + std::to_string(argc));
  };
  if (verb == "listen") {
    want_args(0, 0);
    step.action = Listen{};
  } else if (verb == "connect") {
    Connect c;
    if (argc) {
      want_args(2, 2);
      if (words[1] != "port") throw std::invalid_argument("connect takes 'port N', got '" + words[1] + "'");
      const auto port = number(words[2], "port");
      if (port < 1 || port > 65535) throw std::invalid_argument("port out of range");
      c.port = static_cast<int>(port);
    }
    step.action = c;
  } else if (verb == "accept") {
    want_args(0, 0);
    step.action = Accept{};
  } else if (verb == "send" && argc >= 1 && words[1] == "message") {
    want_args(3, 3);
    const auto announce = number(words[2], "send message (announced length)");
    const auto sent = number(words[3], "send message (bytes sent)");
    if (announce < 0 || announce > (64 << 20) || sent < 0 || sent > announce)
      throw std::invalid_argument("send message N M needs 0 <= M <= N <= 67108864");
    step.action = SendMessage{static_cast<std::uint32_t>(announce), static_cast<std::size_t>(sent)};
    if (!step.expect.bytes && step.expect.end == protocol::end::ok) step.expect.bytes = static_cast<std::uint64_t>(sent);
  } else if (verb == "recv" && argc >= 1 && words[1] == "message") {
    want_args(1, 1);
    step.action = RecvMessage{};
  } else if (verb == "tls") {
    want_args(1, 1);
    if (words[1] == "handshake") step.action = TlsHandshake{};
    else if (words[1] == "stall") step.action = TlsStall{};
    else if (words[1] == "close_notify") step.action = TlsCloseNotify{};
    else throw std::invalid_argument("tls takes handshake, stall or close_notify, got '" + words[1] + "'");
  } else if (verb == "drain") {
    want_args(0, 0);
    step.action = Drain{};
  } else if (verb == "poll") {
    want_args(0, 0);
    step.action = protocol::Poll{};
  } else if (verb == "crash") {
    want_args(0, 0);
    step.action = Crash{};
    if (step.expect.end == protocol::end::ok) step.expect.end = protocol::end::killed;
  } else if (verb == "destroy") {
    want_args(0, 0);
    if (step.background) throw std::invalid_argument("'destroy' is immediate: it cannot run in the background");
    step.action = Destroy{};
  } else if (verb == "await") {
    want_args(0, 0);
    if (step.background) throw std::invalid_argument("'await' cannot itself run in the background");
    if (arrow != std::string::npos) throw std::invalid_argument("'await' takes no outcome: the awaited step states it");
    step.action = Await{};
  } else if (verb == "send") {
    want_args(1, 1);
    const auto n = number(words[1], "send");
    if (n <= 0 || n > (64 << 20)) throw std::invalid_argument("send needs 1 to 67108864 bytes");
    step.action = Send{static_cast<std::size_t>(n)};
    if (!step.expect.bytes && step.expect.end == protocol::end::ok) step.expect.bytes = static_cast<std::uint64_t>(n);
  } else if (verb == "recv") {
    want_args(0, 1);
    Recv r;
    if (argc && words[1] == "all") r.mode = Recv::Mode::all;
    else if (argc) {
      const auto n = number(words[1], "recv");
      if (n <= 0 || n > (64 << 20)) throw std::invalid_argument("recv needs 1 to 67108864 bytes, or 'all'");
      r.mode = Recv::Mode::exact;
      r.bytes = static_cast<std::size_t>(n);
      if (!step.expect.bytes && step.expect.end == protocol::end::ok) step.expect.bytes = r.bytes;
    }
    step.action = r;
  } else if (verb == "shutdown") {
    want_args(1, 1);
    if (words[1] != "rd" && words[1] != "wr" && words[1] != "rdwr")
      throw std::invalid_argument("shutdown takes rd, wr or rdwr, got '" + words[1] + "'");
    step.action = Shutdown{words[1]};
  } else if (verb == "close") {
    want_args(0, 0);
    step.action = Close{};
  } else if (verb == "get") {
    want_args(1, 1);
    if (words[1] == "so_error") step.action = protocol::Get{protocol::Get::Item::so_error};
    else if (words[1] == "tcp_info") step.action = protocol::Get{protocol::Get::Item::tcp_info};
    else throw std::invalid_argument("get takes so_error or tcp_info, got '" + words[1] + "'");
    if (step.background) throw std::invalid_argument("'get' is immediate: it cannot run in the background");
  } else if (verb == "set") {
    want_args(2, 2);
    const auto* option = protocol::find_socket_option(words[1]);
    if (!option)
      throw std::invalid_argument("unknown socket option '" + words[1] + "' (known: " + protocol::socket_option_names() + ")");
    step.action = SetOption{.name = words[1], .value = option_value(*option, words[2])};
  } else {
    throw std::invalid_argument("unknown action '" + verb +
                                "' (known: listen connect accept send recv shutdown close set get tls crash destroy await drain poll; "
                                "send message N M, recv message)");
  }
  const bool reads_info = std::holds_alternative<protocol::Get>(step.action) &&
                          std::get<protocol::Get>(step.action).item == protocol::Get::Item::tcp_info;
  if (!reads_info && (step.expect.state || !step.expect.counters.empty()))
    throw std::invalid_argument("only 'get tcp_info' has state and counters to expect");
  return step;
}

}  // namespace closepath
