#include "pattern.hpp"
#include "pattern_words.hpp"
#include "test_data.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

using namespace closepath::pcap;
namespace bdata = boost::unit_test::data;

BOOST_AUTO_TEST_SUITE(pattern)

// Each row: a pattern as written, and how it prints back.
BOOST_DATA_TEST_CASE(pattern_parses_and_prints,
                     bdata::make({"c>s S", "s>c S.", "c>s R. seq 1001 ack 1", "s>c P. len 1000", "c>s * len 0",
                                  "c>s . {2}", "c>s . {1,}", "c>s . {0,3}", "s>c . ?", "...", "s>c R seq 2",
                                  "c>s FP. seq 1 ack 1 len 10", "s>c . win 0", "s>c . ack 1 win 512 {2}", "c>s S TS sackOK wscale 7 mss 1460"}) ^
                         bdata::make({"c>s S", "s>c S.", "c>s R. seq 1001 ack 1", "s>c P. len 1000", "c>s * len 0",
                                      "c>s . {2}", "c>s . {1,}", "c>s . {0,3}", "s>c . ?", "...", "s>c R seq 2",
                                      "c>s FP. seq 1 ack 1 len 10", "s>c . win 0", "s>c . ack 1 win 512 {2}", "c>s S mss 1460 wscale 7 sackOK TS"}),
                     text, printed) {
  BOOST_TEST(to_string(parse_pattern(text)) == printed);
}

// Each row: a bad pattern, and words its error must contain.
BOOST_DATA_TEST_CASE(pattern_rejects_with_a_reason,
                     bdata::make({"", "x>y S", "c>s", "c>s Q", "c>s SS", "c>s S len", "c>s S len -1", "c>s S {3,1}",
                                  "c>s S {0}", "c>s S ? ?", "c>s S bogus", "s>c . win 65536", "s>c . win", "c>s S wscale 15",
                                  "c>s S mss 70000", "c>s S sackok"}) ^
                         bdata::make({"empty", "must start with", "needs flags", "unknown TCP flag", "repeated",
                                      "needs a value", "len takes N or LOW..HIGH, got '-1'", "max below min", "matches nothing",
                                      "more than one repeat", "unknown word", "16-bit window", "needs a value", "above 14",
                                      "16-bit option", "unknown word"}),
                     text, reason) {
  try {
    parse_pattern(text);
    BOOST_FAIL("accepted '" << text << "'");
  } catch (const PatternError& e) {
    BOOST_TEST(std::string(e.what()).find(reason) != std::string::npos, e.what());
  }
}

// A forbid entry names one packet: no "..." and no repeat.
BOOST_AUTO_TEST_CASE(a_word_given_twice_is_refused) {
  BOOST_CHECK_EXCEPTION(parse_pattern("c>s P. len 1 len 2"), PatternError, [](const PatternError& e) {
    return std::string(e.what()) == "'len' is given twice in 'c>s P. len 1 len 2'";
  });
  BOOST_CHECK_THROW(parse_pattern("c>s S TS TS"), PatternError);
}

BOOST_AUTO_TEST_CASE(pattern_single_packet_refuses_repeats) {
  BOOST_CHECK_THROW(parse_packet_pattern("..."), PatternError);
  BOOST_CHECK_THROW(parse_packet_pattern("c>s F {2}"), PatternError);
  BOOST_TEST(*parse_packet_pattern("c>s F.").flags == std::uint8_t(kFin | kAck));
}

// The first differing field is named, expected before actual.
BOOST_AUTO_TEST_CASE(pattern_explains_a_mismatch) {
  FlowPacket p;
  p.dir = Dir::c2s;
  p.flags = kFin | kAck;
  p.seq = 1001;
  std::string why;
  BOOST_TEST(!packet_matches(parse_packet_pattern("c>s R. seq 1001"), p, &why));
  BOOST_TEST(why == "expected R. vs actual F.");
  BOOST_TEST(!packet_matches(parse_packet_pattern("c>s F. seq 7"), p, &why));
  BOOST_TEST(why == "expected seq 7 vs actual seq 1001");
  BOOST_TEST(!packet_matches(parse_packet_pattern("s>c F."), p, &why));
  BOOST_TEST(why == "expected s>c vs actual c>s");
  BOOST_TEST(packet_matches(parse_packet_pattern("c>s * seq 1001"), p));
  p.window = 512;
  BOOST_TEST(!packet_matches(parse_packet_pattern("c>s F. win 0"), p, &why));
  BOOST_TEST(why == "expected win 0 vs actual win 512");
  BOOST_TEST(packet_matches(parse_packet_pattern("c>s F. win 512"), p));
  p.options.mss = 1440;
  p.options.timestamps = true;
  BOOST_TEST(!packet_matches(parse_packet_pattern("c>s F. mss 1460"), p, &why));
  BOOST_TEST(why == "expected mss 1460 vs actual mss 1440");
  BOOST_TEST(!packet_matches(parse_packet_pattern("c>s F. wscale 7"), p, &why));
  BOOST_TEST(why == "expected wscale 7 vs actual no wscale");
  BOOST_TEST(!packet_matches(parse_packet_pattern("c>s F. sackOK"), p, &why));
  BOOST_TEST(why == "expected sackOK vs actual no sackOK");
  BOOST_TEST(packet_matches(parse_packet_pattern("c>s F. mss 1440 TS"), p));
}

// len LOW..HIGH: both ends included (a TLS record's length varies by a byte); LOW above HIGH is refused.
BOOST_AUTO_TEST_CASE(len_takes_a_range) {
  FlowPacket p;
  p.dir = Dir::s2c;
  p.flags = kPsh | kAck;
  std::string why;
  for (std::uint32_t len : {510u, 515u, 520u}) {
    p.len = len;
    BOOST_TEST(packet_matches(parse_packet_pattern("s>c P. len 510..520"), p), len);
  }
  p.len = 521;
  BOOST_TEST(!packet_matches(parse_packet_pattern("s>c P. len 510..520"), p, &why));
  BOOST_TEST(why == "expected len 510..520 vs actual len 521");
  BOOST_TEST(to_string(parse_packet_pattern("s>c P. len 510..520")) == "s>c P. len 510..520");
  BOOST_CHECK_EXCEPTION(parse_packet_pattern("s>c P. len 520..510"), PatternError, [](const PatternError& e) {
    return std::string(e.what()).find("len 520..510: LOW..HIGH needs LOW <= HIGH") != std::string::npos;
  });
  BOOST_CHECK_THROW(parse_packet_pattern("s>c P. len 5.."), PatternError);
}

// tsval +LOW..HIGH: the TSval's advance over the sender's previous one, as the flow builder sets it.
BOOST_AUTO_TEST_CASE(tsval_reads_the_advance_over_the_senders_last) {
  FlowPacket p;
  p.flags = kFin | kAck;
  const auto pattern = parse_packet_pattern("c>s F. tsval +1000..1300");
  std::string why;
  BOOST_TEST(!packet_matches(pattern, p, &why));
  BOOST_TEST(why == "expected tsval +1000..1300 vs actual no TS");
  p.options.timestamps = true;
  BOOST_TEST(!packet_matches(pattern, p, &why));
  BOOST_TEST(why == "expected tsval +1000..1300 vs actual no earlier TSval from its sender");
  p.ts_advance = 1042;
  BOOST_TEST(packet_matches(pattern, p));
  p.ts_advance = -3;
  BOOST_TEST(!packet_matches(pattern, p, &why));
  BOOST_TEST(why == "expected tsval +1000..1300 vs actual tsval -3");
  BOOST_TEST(to_string(pattern) == "c>s F. tsval +1000..1300");
  BOOST_TEST(to_string(parse_packet_pattern("c>s F. tsval +5")) == "c>s F. tsval +5");
  BOOST_CHECK_THROW(parse_packet_pattern("c>s F. tsval 1000"), PatternError);
  BOOST_CHECK_THROW(parse_packet_pattern("c>s F. tsval +9..1"), PatternError);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pattern_timing)

// +FLAGS matches supersets; data needs a payload.
BOOST_AUTO_TEST_CASE(pattern_matches_included_flags_and_data) {
  FlowPacket p;
  p.dir = Dir::c2s;
  p.flags = kFin | kPsh | kAck;
  p.len = 5;
  BOOST_TEST(packet_matches(parse_packet_pattern("c>s +F"), p));
  BOOST_TEST(packet_matches(parse_packet_pattern("c>s +F. data"), p));
  BOOST_TEST(!packet_matches(parse_packet_pattern("c>s +R"), p));
  p.len = 0;
  std::string why;
  BOOST_TEST(!packet_matches(parse_packet_pattern("c>s * data"), p, &why));
  BOOST_TEST(why == "expected data vs actual len 0");
}

// A measured time is printed with the precision that decides: never as if inside the window it missed.
BOOST_AUTO_TEST_CASE(measured_times_show_the_digits_that_decide) {
  const TimeWindow to_4ms{0, 4'000'000}, zero{0, 0};
  BOOST_TEST(measured_text(4'400'000, &to_4ms) == "4.4ms");
  BOOST_TEST(measured_text(4'040'000, &to_4ms) == "4.04ms");
  BOOST_TEST(measured_text(4'000'001, &to_4ms) == "4.000001ms");
  BOOST_TEST(measured_text(3'960'000, &to_4ms) == "4.0ms");  // inside, and reads so
  BOOST_TEST(measured_text(312'400, &zero) == "312us");
  BOOST_TEST(measured_text(1'012'300'000) == "1.012s");
  BOOST_TEST(window_text(to_4ms) == "0ms..4ms");
  BOOST_TEST(window_text({0, 2'000'000'000}) == "0s..2s");
  FlowPacket before, p;
  p.mono_ns = 4'400'000;
  std::string why;
  BOOST_TEST(!packet_matches(parse_packet_pattern("c>s * gap 0s..4ms"), p, &why, {&before, nullptr}));
  BOOST_TEST(why == "expected gap 0ms..4ms vs actual gap 4.4ms");
}

// gap: since the packet before; at: since an anchor; both inclusive windows.
BOOST_AUTO_TEST_CASE(pattern_checks_time_windows) {
  FlowPacket before, p;
  before.mono_ns = 1'000'000'000;
  p.mono_ns = 2'100'000'000;
  const std::vector<std::int64_t> anchors{0, 500'000'000};
  std::string why;
  BOOST_TEST(packet_matches(parse_packet_pattern("c>s * gap 800ms..1.5s"), p, &why, {&before, &anchors}));
  BOOST_TEST(!packet_matches(parse_packet_pattern("c>s * gap 1.5s..2s"), p, &why, {&before, &anchors}));
  BOOST_TEST(why == "expected gap 1500ms..2s vs actual gap 1.100s");
  BOOST_TEST(packet_matches(parse_packet_pattern("c>s * at 1.5s..1.7s after step 2"), p, &why, {&before, &anchors}));
  BOOST_TEST(!packet_matches(parse_packet_pattern("c>s * at 1s..2s after step 3"), p, &why, {&before, &anchors}));
  BOOST_TEST(why == "expected at 1s..2s after step 3 vs actual no time for step 3");
  BOOST_CHECK_THROW(parse_pattern("c>s * gap 2s..1s"), PatternError);
  BOOST_CHECK_THROW(parse_pattern("c>s * at 1s..2s before step 1"), PatternError);
  BOOST_CHECK_THROW(parse_pattern("c>s * gap 1h..2h"), PatternError);
  BOOST_TEST(to_string(parse_pattern("c>s . gap 800ms..1500ms {2}")) == "c>s . gap 800ms..1500ms {2}");
}

BOOST_AUTO_TEST_SUITE_END()

// "ack fin" matches the ACK of the other side's FIN, whatever its number.
BOOST_AUTO_TEST_CASE(ack_fin_matches_the_ack_of_the_other_sides_fin) {
  const auto flow = test::load_flow("graceful_fin");
  const auto p = parse_packet_pattern("s>c . ack fin");
  BOOST_TEST(to_string(p) == "s>c . ack fin");
  std::vector<std::size_t> hits;
  for (std::size_t i = 0; i < flow.packets.size(); ++i)
    if (packet_matches(p, flow.packets[i])) hits.push_back(i);
  BOOST_TEST(hits == std::vector<std::size_t>{8});  // s>c . seq 201 ack 102, after c>s F. seq 101
  std::string why;
  BOOST_TEST(!packet_matches(p, flow.packets[4], &why));  // s>c . ack 101, before any FIN
  BOOST_TEST(why == "expected ack fin vs actual no FIN from the other side yet");
}

// Found by fuzz_pattern: a time that does not land on a whole nanosecond
// printed back to one that parsed a nanosecond short. Every pattern prints
// to text that parses to the same pattern.
BOOST_AUTO_TEST_CASE(patterns_print_back_to_what_they_parse_from) {
  for (const char* text : {"c>s F. seq 1 ack 1 at 0.000001017006s..2s after step 1", "c>s . gap 0.001017ms..1.5ms",
                           "s>c . gap 1.5s..2.000000001s", "c>s +F ack fin {2,}"}) {
    const auto e = parse_pattern(text);
    BOOST_TEST((parse_pattern(to_string(e)) == e), text << " -> " << to_string(e));
  }
}

// Every pattern word is one entry: it has a doc line, and its example parses, names it, and prints back as written.
BOOST_AUTO_TEST_CASE(every_pattern_word_has_a_doc_and_an_example_that_round_trips) {
  for (const auto& word : pattern_words()) {
    BOOST_TEST(std::string(word.doc).size() > 10u, word.word);
    const auto parsed = parse_pattern(word.example);
    const auto printed = to_string(parsed);
    BOOST_TEST(printed == word.example, word.word);
    BOOST_TEST((" " + printed + " ").find(std::string(" ") + word.word + " ") != std::string::npos, word.word);
    BOOST_TEST((parse_pattern(printed) == parsed), word.word);
  }
}

// Where a word may not appear, every reader refuses it with the same words.
BOOST_AUTO_TEST_CASE(a_word_is_refused_where_it_cannot_be_decided) {
  const auto timed = parse_packet_pattern("c>s . gap 1s..2s");
  BOOST_CHECK_NO_THROW(check_places(timed, PatternPlace::expect));
  for (const auto place : {PatternPlace::forbid, PatternPlace::barrier, PatternPlace::fault})
    BOOST_CHECK_EXCEPTION(check_places(timed, place), PatternError, [](const PatternError& e) {
      return std::string(e.what()).find("takes no 'gap': a timing window is judged on the whole run") != std::string::npos;
    });
  for (const auto place : {PatternPlace::expect, PatternPlace::forbid, PatternPlace::barrier, PatternPlace::fault})
    BOOST_CHECK_NO_THROW(check_places(parse_packet_pattern("c>s P. len 100 win 0"), place));
  BOOST_TEST(places_text(*find_pattern_word("at")) == "expect.wire only");
  BOOST_TEST(places_text(*find_pattern_word("len")).empty());
}

// What the wire did is a fact of the packet (its effects), never read from its comment.
BOOST_AUTO_TEST_CASE(wire_names_what_the_wire_did_to_a_packet) {
  const auto injected = parse_packet_pattern("c>s R. wire injected");
  FlowPacket p;
  p.flags = kRst | kAck;
  p.note = "injected RST";  // the comment alone says nothing to the matcher
  std::string why;
  BOOST_TEST(!packet_matches(injected, p, &why));
  BOOST_TEST(why == "expected wire injected vs actual untouched by the wire");
  p.effects = effect_bit(WireEffect::held) | effect_bit(WireEffect::delayed);
  BOOST_TEST(!packet_matches(injected, p, &why));
  BOOST_TEST(why == "expected wire injected vs actual wire held, delayed");
  p.effects |= effect_bit(WireEffect::injected);
  BOOST_TEST(packet_matches(injected, p));
  BOOST_CHECK_EXCEPTION(parse_packet_pattern("c>s R. wire spoofed"), PatternError, [](const PatternError& e) {
    return std::string(e.what()) == "'wire' takes dropped, held, delayed, injected, netem, released, corrupted, reordered, got 'spoofed'";
  });
  // The wire cannot wait for, or act on, what it has not yet done.
  BOOST_CHECK_NO_THROW(check_places(injected, PatternPlace::forbid));
  BOOST_CHECK_THROW(check_places(injected, PatternPlace::fault), PatternError);
  BOOST_CHECK_THROW(check_places(injected, PatternPlace::barrier), PatternError);
}
