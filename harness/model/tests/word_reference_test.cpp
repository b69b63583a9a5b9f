// The reference `closepath help words` prints is the registries': every
// entry has its doc line, its example parses where the section says it
// goes, and a scenario of the catalogue or examples/ uses it.
#include "catalogue.hpp"
#include "outcome.hpp"
#include "overloaded.hpp"
#include "pattern_words.hpp"
#include "placeholders.hpp"
#include "scenario_parser.hpp"
#include "tcp_states.hpp"
#include "word_reference.hpp"
#include "runtimes.hpp"
#include "catalogue.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <map>
#include <set>

using namespace closepath;

namespace {

// Parses `example` as a scenario writes it in section `key`; throws on a bad one.
void parse_example(const std::string& key, const std::string& example) {
  if (key == "peer" || key == "end" || key == "option" || key == "counter") parse_peer_step(Side::client, example);
  else if (key == "program" || key == "placeholder") BOOST_REQUIRE(parse_program_step(Side::client, example));
  else if (key == "wire") parse_wire_step(example);
  else if (key == "wait") parse_wait_step(example);
  else if (key == "pattern") pcap::parse_pattern(example);
  else if (key == "leftover") parse_leftover_pattern(example);
  else if (key == "state") BOOST_REQUIRE(tcp_state_named(example));
  else if (key == "runtime") BOOST_REQUIRE(protocol::find_runtime(example));
  else if (key == "duration") parse_duration(example);
  else BOOST_FAIL("no grammar test for section " + key);
}

using Used = std::map<std::string, std::set<std::string>>;  // section key -> the entry words scenarios use

void note_pattern(Used& used, const pcap::PacketPattern& p) {
  used["pattern"].insert("c>s");
  for (const auto& w : pcap::pattern_words()) {
    std::string printed;
    w.print(p, printed);
    if (!printed.empty()) used["pattern"].insert(w.word);
  }
}

void note_outcome(Used& used, const ExpectedOutcome& x) {
  used["end"].insert(protocol::is_end_word(x.end) ? x.end : "ERRNO");
  if (x.state) used["counter"].insert("state"), used["state"].insert(*x.state);
  for (const auto& [name, range] : x.counters) used["counter"].insert(name);
}

void note_step(Used& used, const Step& step) {
  std::visit(overloaded{
                 [&](const PeerStep& p) {
                   std::visit([&](const auto& a) { used["peer"].insert(a.word); }, p.action);
                   if (const auto* set = std::get_if<SetOption>(&p.action)) used["option"].insert(set->name);
                   note_outcome(used, p.expect);
                   for (const auto& [runtime, expect] : p.runtime_expect) used["runtime"].insert(runtime), note_outcome(used, expect);
                 },
                 [&](const WaitStep& w) { used["wait"].insert(w.quiet ? "quiet" : "DURATION"), used["duration"].insert("DURATION"); },
                 [&](const WireWait& w) { used["wait"].insert("PATTERN"), note_pattern(used, w.match); },
                 [&](const WireStep& w) {
                   std::visit([&](const auto& a) {
                     used["wire"].insert(a.word);
                     if constexpr (requires { a.match; }) note_pattern(used, a.match);
                   }, w.action);
                 },
                 [&](const ProgramStep& p) {
                   std::visit([&](const auto& a) { used["program"].insert(a.word); }, p.action);
                   if (const auto* e = std::get_if<Exec>(&p.action))
                     for (const auto& arg : e->argv)
                       for (const auto& ph : placeholders())
                         if (arg.find(ph.name) != std::string::npos) used["placeholder"].insert(ph.name);
                 },
             },
             step.what);
}

Used used_by_scenarios() {
  Used used;
  const std::filesystem::path source = std::filesystem::path(CLOSEPATH_SCENARIO_DIR).parent_path();
  for (const auto& dir : {source / "scenarios", source / "examples"})
    for (const auto& file : catalogue_files(dir)) {
      const auto s = parse_scenario_file(file);
      for (const auto& step : s.steps) note_step(used, step);
      for (Side side : {Side::client, Side::server}) used["runtime"].insert(peer_runtime(s.peers, {}, side));
      for (const auto& [runtime, why] : s.differs) used["runtime"].insert(runtime);
      for (const auto& e : s.wire) {
        if (std::holds_alternative<pcap::AnyPackets>(e.value)) used["pattern"].insert("...");
        else if (const auto& run = std::get<pcap::PacketRun>(e.value); run.min != 1 || run.max != 1)
          used["pattern"].insert("{N}"), note_pattern(used, run.packet);
        else note_pattern(used, run.packet);
      }
      for (const auto& f : s.forbid) note_pattern(used, f.value);
      for (const auto& [side, states] : s.states)
        for (const auto& st : states.value) used["state"].insert(st.state);
      for (const auto* lists : {&s.leftovers, &s.forbid_leftovers})
        for (const auto& [side, sockets] : *lists)
          for (const auto& p : sockets.value) {
            used["state"].insert(p.state);
            if (p.recv_q) used["leftover"].insert("recv_q");
            if (p.send_q) used["leftover"].insert("send_q");
            if (p.timer) used["leftover"].insert("timer");
            if (p.orphan) used["leftover"].insert(*p.orphan ? "orphan" : "owned");
          }
    }
  return used;
}

// Words no scenario uses yet, each waiting for one that has been seen on a
// real run on every kernel (and fails without its fault). The test below
// fails when one of these gains a scenario, so the list only shrinks.
const std::set<std::pair<std::string, std::string>> kNoScenarioYet{
    {"end", "ssl_error"},  {"end", "hup"},
    {"end", "pollerr"},       {"state", "LISTEN"},      {"state", "NEW_SYN_RECV"}, {"option", "nodelay"},
    {"counter", "total_retrans"}, {"counter", "lost"},  {"counter", "rto_ms"},
    {"placeholder", "{client}"}, {"placeholder", "{client_host}"}, {"placeholder", "{any_host}"}, {"placeholder", "{family}"},
};

}  // namespace

BOOST_AUTO_TEST_CASE(every_word_has_a_doc_line_and_an_example_that_parses) {
  for (const auto& section : word_reference()) {
    BOOST_TEST_CONTEXT("section " << section.key) {
      BOOST_TEST(!section.entries.empty());
      for (const auto& e : section.entries) {
        BOOST_TEST_CONTEXT(e.synopsis) {
          BOOST_TEST(!e.doc.empty());
          BOOST_TEST(!e.word.empty());
          if (e.example.empty()) continue;  // only words a scenario cannot write (the runner's own end words)
          BOOST_CHECK_NO_THROW(parse_example(section.key, e.example));
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_word_a_scenario_may_write_is_used_by_one) {
  const auto used = used_by_scenarios();
  for (const auto& section : word_reference())
    for (const auto& e : section.entries) {
      if (e.example.empty()) continue;  // never written in a scenario
      BOOST_TEST_CONTEXT("section " << section.key << ": " << e.synopsis) {
        const auto it = used.find(section.key);
        const bool in_one = it != used.end() && it->second.contains(e.word);
        if (kNoScenarioYet.contains({section.key, e.word}))
          BOOST_TEST(!in_one, "'" << e.word << "' has a scenario now: take it off kNoScenarioYet");
        else
          BOOST_TEST(in_one, "no scenario in scenarios/ or examples/ uses '" << e.word << "'");
      }
    }
}
