#include "word_reference.hpp"

#include "runtimes.hpp"

#include "outcome.hpp"
#include "overloaded.hpp"
#include "pattern_words.hpp"
#include "placeholders.hpp"
#include "scenario.hpp"
#include "segment.hpp"
#include "socket_options.hpp"
#include "tcp_states.hpp"

#include <utility>
#include <variant>

namespace closepath {
namespace {

// One entry per alternative of a registry variant whose structs carry word, synopsis, doc and example.
template <typename V>
std::vector<WordEntry> entries_of() {
  std::vector<WordEntry> out;
  for_each_alternative<V>([&](auto tag, std::size_t) {
    using T = typename decltype(tag)::type;
    if constexpr (requires { T::synopsis; })  // the runner's own actions (no word) are never written
      out.push_back({T::word, T::synopsis, T::doc, T::example});
  });
  return out;
}

std::vector<WordEntry> pattern_entries() {
  std::string letters;
  for (const auto& f : pcap::kFlagLetters) letters += f.letter;
  std::vector<WordEntry> out{
      {"c>s", "c>s|s>c FLAGS",
       "a packet's direction and its exact flags in tcpdump's letters (" + letters +
           "; '.' is ACK); '+F' flags that include these, '*' any flags",
       "c>s +F"},
      {"{N}", "PATTERN {N} | {N,} | {N,M} | ?", "a run of matching packets (expect.wire; a barrier counts {N})", "s>c . {2}"},
      {"...", "...", "any number of packets, none included (expect.wire only)", "..."},
  };
  for (const auto& w : pcap::pattern_words())
    out.push_back({w.word, w.synopsis, std::string(w.doc) + (w.places == pcap::kEveryPlace ? "" : " (" + pcap::places_text(w) + ")"), w.example});
  return out;
}

std::vector<WordEntry> end_entries() {
  std::vector<WordEntry> out;
  for (const auto& e : protocol::kEndWords)
    out.push_back({e.word, e.word, std::string(e.doc) + (e.expectable ? "" : " (in reports; never expected)"),
                   e.expectable ? std::string("recv -> ") + e.word : ""});
  out.push_back({"ERRNO", "ERRNO", "any errno name, as the kernel gave it (ECONNRESET, EPIPE, ETIMEDOUT, ECONNREFUSED, ...)",
                 "recv -> ECONNRESET"});
  return out;
}

std::vector<WordEntry> runtime_entries() {
  std::vector<WordEntry> out;
  for (const auto& r : protocol::kRuntimes)
    out.push_back({r.name, r.name, std::string(r.doc) + " (" + r.program + ")", r.name});
  return out;
}

std::vector<WordEntry> state_entries() {
  std::vector<WordEntry> out;
  for (const auto& s : kTcpStates)
    out.push_back({std::string(s.name), std::string(s.name), std::string(s.doc), std::string(s.name)});
  return out;
}

std::vector<WordEntry> option_entries() {
  std::vector<WordEntry> out;
  for (const auto& o : protocol::socket_options()) {
    const std::string value = o.kind == protocol::SocketOptionSpec::Kind::linger ? "N|off"
                              : o.kind == protocol::SocketOptionSpec::Kind::flag ? "0|1"
                                                                                 : "N";
    out.push_back({o.name, std::string(o.name) + " " + value, o.doc,
                   "set " + std::string(o.name) + (o.kind == protocol::SocketOptionSpec::Kind::flag ? " 1" : " 0")});
  }
  return out;
}

std::vector<WordEntry> placeholder_entries() {
  std::vector<WordEntry> out;
  for (const auto& p : placeholders())
    out.push_back({p.name, p.name, p.doc, p.example});
  return out;
}

std::vector<WordEntry> counter_entries() {
  std::vector<WordEntry> out{{"state", "state NAME", "the socket's TCP state", "get tcp_info -> state FIN_WAIT1"}};
  for (const auto& c : protocol::tcp_info_counter_names())
    out.push_back({c, c + " N | " + c + " LOW..HIGH", "struct tcp_info's tcpi_" + c + ", exactly or in a range",
                   "get tcp_info -> " + c + " 0..3"});
  return out;
}

std::vector<WordEntry> leftover_entries() {
  std::vector<WordEntry> out;
  for (const auto& f : leftover_fields()) out.push_back({f.word, f.synopsis, f.doc, f.example});
  return out;
}

}  // namespace

std::vector<WordSection> word_reference() {
  return {
      {"peer", "Peer steps", "- client: ACTION [ARGS] [within D] [-> OUTCOME] [&]", entries_of<PeerAction>()},
      {"program", "Program steps", "- client: exec ... (then its other steps on that side)", entries_of<ProgramAction>()},
      {"wire", "Wire faults", "- wire: FAULT", entries_of<WireAction>()},
      {"wait", "Pauses and barriers", "- wait: ...",
       {{"DURATION", WaitStep::synopsis, WaitStep::doc, WaitStep::example},
        {"quiet", Quiet::synopsis, Quiet::doc, Quiet::example},
        {"PATTERN", WireWait::synopsis, WireWait::doc, WireWait::example}}},
      {"pattern", "Pattern words", "expect.wire, expect.forbid, wire faults and barriers: DIR FLAGS [WORD VALUE]...",
       pattern_entries()},
      {"end", "Outcome ends", "-> [BYTES] END [at LOW..HIGH after step N]", end_entries()},
      {"runtime", "Peer runtimes",
       "run --peer RUNTIME; peer: RUNTIME or {client: RUNTIME, server: RUNTIME}; beside a step, RUNTIME: OUTCOME (what that "
       "runtime's program is told instead); differs: {RUNTIME: WHY} (its runs are skipped, saying why)",
       runtime_entries()},
      {"state", "TCP states", "expect.states, leftovers, forbid_leftovers, get tcp_info -> state", state_entries()},
      {"option", "Socket options", "- client: set OPTION VALUE", option_entries()},
      {"placeholder", "Placeholders", "- client: exec PROGRAM ARGS... (each arg may hold them)", placeholder_entries()},
      {"counter", "tcp_info fields", "- client: get tcp_info -> FIELD VALUE...", counter_entries()},
      {"leftover", "Leftover fields", "expect.leftovers / forbid_leftovers: SIDE: [STATE [FIELD VALUE]...]", leftover_entries()},
      {"duration", "Durations", "within, wait, timers, rto_min, gap, at",
       {{"DURATION", "Nms | N.Ns | Ns", "a time to the millisecond (1.5s, 800ms); windows read LOW..HIGH", "1.5s"}}},
  };
}

std::string reference_text(const std::vector<WordSection>& sections) {
  std::string out;
  for (const auto& s : sections) {
    out += s.title + "  (" + s.where + ")\n";
    for (const auto& e : s.entries) {
      out += "  " + e.synopsis + "\n      " + e.doc + "\n";
      if (!e.example.empty()) out += "      e.g. " + e.example + "\n";
    }
    out += "\n";
  }
  return out;
}

std::string reference_markdown(const std::vector<WordSection>& sections) {
  const auto cell = [](std::string text) {
    for (std::size_t at = 0; (at = text.find('|', at)) != std::string::npos; at += 2) text.replace(at, 1, "\\|");
    return text;
  };
  std::string out;
  for (const auto& s : sections) {
    out += "### " + s.title + "\n\n`" + s.where + "`\n\n| word | meaning | example |\n|---|---|---|\n";
    for (const auto& e : s.entries)
      out += "| `" + cell(e.synopsis) + "` | " + cell(e.doc) + " | " + (e.example.empty() ? "" : "`" + cell(e.example) + "`") +
             " |\n";
    out += "\n";
  }
  return out;
}

nlohmann::json reference_json(const std::vector<WordSection>& sections) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : sections) {
    nlohmann::json entries = nlohmann::json::array();
    for (const auto& e : s.entries)
      entries.push_back({{"word", e.word}, {"synopsis", e.synopsis}, {"doc", e.doc}, {"example", e.example}});
    out.push_back({{"key", s.key}, {"title", s.title}, {"where", s.where}, {"entries", entries}});
  }
  return out;
}

}  // namespace closepath
