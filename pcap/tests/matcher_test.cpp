#include "matcher.hpp"
#include "test_data.hpp"

#include <boost/test/unit_test.hpp>

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
  BOOST_TEST(m->message == "packet 6 (c>s R. seq 1001 ack 1 len 0): pattern 6 'c>s F.': expected F. vs actual R.");
}

// Packets left over after the last pattern are a mismatch (the list is anchored).
BOOST_AUTO_TEST_CASE(matcher_reports_unexpected_trailing_packets) {
  const auto flow = test::load_flow("linger_zero");
  const auto m = match_sequence(patterns({"c>s S", "s>c S."}), flow.packets);
  BOOST_REQUIRE(m);
  BOOST_TEST(m->message.find("packet 3 (c>s . seq 1 ack 1 len 0): not expected") == 0, m->message);
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
  BOOST_TEST(m->message == "packet 10 (s>c F. seq 201 ack 102 len 0): matches forbidden pattern 's>c F.'");
}

BOOST_AUTO_TEST_SUITE_END()
