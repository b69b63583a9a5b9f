// The step grammar:  ACTION [ARGS] [within DURATION] [-> [BYTES] [END] ["TEXT"]... [FIELD VALUE]... [at LOW..HIGH after step N]]
#include "action_grammar.hpp"
#include "number_range.hpp"
#include "outcome.hpp"
#include "overloaded.hpp"
#include "quoted_text.hpp"
#include "scenario_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <regex>
#include <set>

namespace closepath {

std::vector<std::string> words_of(const std::string& text) { return protocol::step_words(text); }

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
      out.counters[field] = pcap::parse_number_range(field, words[i + 1], UINT32_MAX);  // tcp_info's counters are 32-bit
    }
  }
  return i;
}

ExpectedOutcome parse_outcome(std::vector<std::string> words) {
  ExpectedOutcome out;
  // "TEXT": bytes the read must hold, anywhere among the outcome's words.
  std::erase_if(words, [&](const std::string& w) {
    auto text = protocol::quoted_text(w);
    if (text && text->empty()) throw std::invalid_argument("'->' \"\" expects no bytes: give the text the read must hold");
    if (text) out.texts.push_back(std::move(*text));
    return text.has_value();
  });
  if (words.empty() && !out.texts.empty()) return out;
  std::size_t i = 0;
  if (i < words.size() && is_number(words[i]))
    out.bytes = static_cast<std::uint64_t>(protocol::word_number(words[i++], "byte count"));
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
    const auto anchor = protocol::word_number(words[i + 4], "step");
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

Await Await::parse(const protocol::Words& args) { return protocol::want_words(args, 0, 0, word), Await{}; }
Destroy Destroy::parse(const protocol::Words& args) { return protocol::want_words(args, 0, 0, word), Destroy{}; }

std::optional<protocol::Action> command_action(const PeerAction& a) {
  return std::visit(overloaded{[](const Await&) -> std::optional<protocol::Action> { return std::nullopt; },
                               [](const Destroy&) -> std::optional<protocol::Action> { return std::nullopt; },
                               [](const auto& sent) -> std::optional<protocol::Action> { return protocol::Action(sent); }},
                    a);
}

PeerStep parse_peer_step(Side side, const std::string& text) {
  PeerStep step;
  step.side = side;
  std::string body = text;
  if (const auto last = body.find_last_not_of(" \t"); last != std::string::npos && body[last] == '&') {
    step.background = true;
    body.resize(last);
  }
  const auto arrow = protocol::find_unquoted(body, "->");
  auto words = words_of(body.substr(0, arrow));
  if (arrow != std::string::npos) step.expect = parse_outcome(words_of(body.substr(arrow + 2)));
  if (words.empty()) throw std::invalid_argument("empty step: name an action");

  // "within D" may close any action that waits.
  if (const auto within = take_within(words)) {
    step.within = *within;
    if (words.empty()) throw std::invalid_argument("'within' needs an action before it, e.g. 'recv within 2s'");
  }
  step.action = protocol::parse_words<PeerAction>(words);
  const std::string action = words[0];
  std::visit(
      [&](auto& a) {
        using T = std::decay_t<decltype(a)>;
        if (step.background && !protocol::may_run_in_background<T>())
          throw std::invalid_argument("'" + std::string(T::word) + "' is immediate: it cannot run in the background");
        if (arrow != std::string::npos && !protocol::takes_outcome<T>())
          throw std::invalid_argument("'" + std::string(T::word) + "' takes no outcome: the awaited step states it");
        if (step.expect.end == protocol::end::ok) {
          step.expect.end = protocol::default_end<T>();
          if (!step.expect.bytes) step.expect.bytes = protocol::bytes_moved(a);
        }
        if ((step.expect.state || !step.expect.counters.empty()) && !protocol::may_expect_tcp_info(a))
          throw std::invalid_argument("only 'get tcp_info' has state and counters to expect");
        if (!step.expect.texts.empty()) {
          if constexpr (requires { a.keep; }) a.keep = true;
          else throw std::invalid_argument("only a read (recv, recv until) has bytes to expect (\"TEXT\")");
        }
      },
      step.action);
  if (const auto* h = std::get_if<TlsHandshake>(&step.action)) {
    if (side == Side::server && h->client_only())
      throw std::invalid_argument("verify, ca and sni are the TLS client's: the server takes cert FILE key FILE");
    if (side == Side::client && h->server_only())
      throw std::invalid_argument("cert and key are the TLS server's: the client takes verify none, ca FILE and sni NAME");
  }
  return step;
}

}  // namespace closepath
