#include "backtracking_matcher.hpp"
#include "matcher.hpp"
#include "test_data.hpp"

#include <boost/test/unit_test.hpp>

#include <random>

using namespace closepath::pcap;

namespace {

std::vector<PatternElement> patterns(std::initializer_list<const char*> lines) {
  std::vector<PatternElement> out;
  for (const auto* l : lines) out.push_back(parse_pattern(l));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(matcher)

// The linger_zero capture matches its full expected sequence.
BOOST_AUTO_TEST_CASE(matcher_accepts_the_exact_sequence) {
  const auto flow = test::load_flow("linger_zero");
  BOOST_TEST(!match_sequence(patterns({"c>s S", "s>c S.", "c>s . seq 1 ack 1", "c>s P. seq 1 ack 1 len 1000",
                                       "s>c . seq 1 ack 1001", "c>s R. seq 1001 ack 1"}),
                             flow.packets));
}

// "..." absorbs any run of packets, including none.
BOOST_AUTO_TEST_CASE(matcher_lets_ellipsis_absorb_packets) {
  const auto flow = test::load_flow("linger_zero");
  BOOST_TEST(!match_sequence(patterns({"c>s S", "...", "c>s R."}), flow.packets));
  BOOST_TEST(!match_sequence(patterns({"...", "c>s S", "s>c S.", "...", "c>s R. seq 1001", "..."}), flow.packets));
}

// Optional and repeated packets: graceful_fin has no separate ACK of the client FIN.
BOOST_AUTO_TEST_CASE(matcher_handles_optional_and_repeats) {
  const auto flow = test::load_flow("graceful_fin");
  BOOST_TEST(!match_sequence(patterns({"c>s S", "s>c S.", "c>s .", "c>s P.", "s>c .", "s>c P.", "c>s .", "c>s F.",
                                       "s>c . ack 102 ?", "s>c F.", "c>s ."}),
                             flow.packets));
  BOOST_TEST(!match_sequence(patterns({"c>s S", "s>c S.", "... ", "c>s * {1,}"}), flow.packets));
  BOOST_TEST(match_sequence(patterns({"c>s S", "s>c S.", "c>s . {2}", "..."}), flow.packets).has_value());
}

// The first mismatch names the packet, the pattern and the field, expected before actual.
BOOST_AUTO_TEST_CASE(matcher_reports_first_mismatch) {
  const auto flow = test::load_flow("linger_zero");
  const auto m = match_sequence(patterns({"c>s S", "s>c S.", "c>s .", "c>s P.", "s>c .", "c>s F."}), flow.packets);
  BOOST_REQUIRE(m);
  BOOST_TEST(*m->pattern == 5u);
  BOOST_TEST(*m->packet == 5u);
  BOOST_TEST(m->message == "frame 6 (c>s R. seq 1001 ack 1 len 0): pattern 6 'c>s F.': expected F. vs actual R.");
}

// Packets left over after the last pattern are a mismatch (the list is anchored).
BOOST_AUTO_TEST_CASE(matcher_reports_unexpected_trailing_packets) {
  const auto flow = test::load_flow("linger_zero");
  const auto m = match_sequence(patterns({"c>s S", "s>c S."}), flow.packets);
  BOOST_REQUIRE(m);
  BOOST_TEST(m->message.find("frame 3 (c>s . seq 1 ack 1 len 0): not expected") == 0, m->message);
}

// A pattern the capture never reached says the capture ended.
BOOST_AUTO_TEST_CASE(matcher_reports_a_missing_packet) {
  const auto flow = test::load_flow("connection_refused");
  const auto m = match_sequence(patterns({"c>s S", "s>c R.", "c>s S"}), flow.packets);
  BOOST_REQUIRE(m);
  BOOST_TEST(m->message == "pattern 3 'c>s S': expected a packet but the capture ended after 2 packets");
}

// Forbidden patterns: the first packet matching any of them is reported.
BOOST_AUTO_TEST_CASE(matcher_finds_forbidden_packets) {
  const auto flow = test::load_flow("graceful_fin");
  BOOST_TEST(!match_forbidden({parse_packet_pattern("c>s R."), parse_packet_pattern("s>c R")}, flow.packets));
  const auto m = match_forbidden({parse_packet_pattern("s>c F.")}, flow.packets);
  BOOST_REQUIRE(m);
  BOOST_TEST(*m->packet == 9u);
  BOOST_TEST(m->message == "frame 10 (s>c F. seq 201 ack 102 len 0): matches forbidden pattern 's>c F.'");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(one_pass)

// The one-pass matcher gives what the backtracking matcher it replaced gave:
// the same verdict, the same packet-to-pattern assignment on a match, the
// same first mismatch otherwise. Random sequences of real packets against
// random pattern lists (fixed seed: a failure reproduces).
BOOST_AUTO_TEST_CASE(agrees_with_the_backtracking_matcher) {
  std::vector<FlowPacket> pool;
  for (const char* name : {"graceful_fin", "linger_zero", "half_close", "rst_on_unread_close"})
    for (const auto& p : test::load_flow(name).packets) pool.push_back(p);
  const std::vector<const char*> words{"c>s S",       "s>c S.",      "c>s .",      "s>c .",        "c>s F.",
                                       "s>c F.",      "c>s R.",      "...",        "c>s * {1,}",   "s>c . ?",
                                       "c>s . {2}",   "c>s P. {0,3}", "s>c *",     "c>s * {0,}",       "c>s . ack 1",
                                       "s>c * {2,}",  "c>s R. ?",    "s>c * {1,2}"};
  std::mt19937 rng(20261122);
  std::size_t matched = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<FlowPacket> packets;
    for (auto n = rng() % 10; n > 0; --n) packets.push_back(pool[rng() % pool.size()]);
    std::vector<PatternElement> list;
    for (auto n = rng() % 8; n > 0; --n) list.push_back(parse_pattern(words[rng() % words.size()]));
    std::vector<Assigned> got_path, want_path;
    const auto got = match_sequence(list, packets, {}, &got_path);
    const auto want = test::BacktrackingMatcher(list, packets, {}).run(&want_path);
    BOOST_REQUIRE_EQUAL(got.has_value(), want.has_value());
    if (!got) {
      ++matched;
      BOOST_REQUIRE_EQUAL(got_path.size(), want_path.size());
      for (std::size_t i = 0; i < got_path.size(); ++i) {
        BOOST_REQUIRE_EQUAL(got_path[i].pattern, want_path[i].pattern);
        BOOST_REQUIRE_EQUAL(got_path[i].packet, want_path[i].packet);
      }
    } else {
      BOOST_REQUIRE_EQUAL(got->message, want->message);
      BOOST_REQUIRE(got->pattern == want->pattern);
      BOOST_REQUIRE(got->packet == want->packet);
    }
  }
  BOOST_TEST(matched > 500u);  // both outcomes were exercised (886 with this seed)
}

// A long capture is one pass: 200,000 packets against a repeat and "...",
// which the backtracking matcher answered with a stack overflow.
BOOST_AUTO_TEST_CASE(judges_a_long_capture_without_recursing_per_packet) {
  const auto flow = test::load_flow("graceful_fin");
  std::vector<FlowPacket> packets(200000, flow.packets[2]);  // c>s . seq 1 ack 1
  packets.insert(packets.begin(), flow.packets[0]);
  std::vector<Assigned> path;
  BOOST_TEST(!match_sequence(patterns({"c>s S", "c>s . {1,}"}), packets, {}, &path));
  BOOST_TEST(path.size() == packets.size());
  BOOST_TEST(!match_sequence(patterns({"c>s S", "...", "c>s ."}), packets));
  const auto m = match_sequence(patterns({"c>s S", "...", "s>c F."}), packets);
  BOOST_REQUIRE(m);
  BOOST_TEST(m->message.find("expected a packet but the capture ended after 200001 packets") != std::string::npos,
             m->message);
}

BOOST_AUTO_TEST_SUITE_END()
