#include "capture_reader.hpp"
#include "frame_facts.hpp"
#include "ladder.hpp"
#include "report.hpp"
#include "scenario_parser.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <sstream>
#include <vector>

#include "wire_effect.hpp"

using namespace closepath;

BOOST_AUTO_TEST_SUITE(ladder)

// A fault's note longer than a line is wrapped between words, never cut: "released after 116.8 ms" stays whole.
BOOST_AUTO_TEST_CASE(ladder_wraps_long_fault_notes) {
  auto flow = pcap::track_flow(pcap::read_capture(std::string(CLOSEPATH_TEST_DATA) + "/graceful_fin.pcapng"));
  flow.packets[7].note = "step 9 client close; held by fault 'step 5 wire hold c>s +F until s>c +F', released after 116.8 ms";
  flow.packets[7].effects = pcap::effect_bit(pcap::WireEffect::held);
  // A comment on a packet the wire left alone says nothing of the wire: not drawn as a fault's note.
  flow.packets[3].note = "a user's own comment: held for review";
  LadderInput in;
  in.packets = flow.packets;
  in.t0_ns = flow.packets.front().mono_ns;
  const auto text = render_ladder(in);
  BOOST_TEST(text.find("released") != std::string::npos, text);
  BOOST_TEST(text.find("after 116.8 ms") != std::string::npos, text);
  BOOST_TEST(text.find("...") == std::string::npos, text);
  BOOST_TEST(text.find("for review") == std::string::npos, text);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) BOOST_TEST(line.size() <= 80u, line);
}

// The letter on an arrow is what the wire did (its effects), never read from a comment's words.
BOOST_AUTO_TEST_CASE(ladder_marks_come_from_effects_not_prose) {
  auto flow = pcap::track_flow(pcap::read_capture(std::string(CLOSEPATH_TEST_DATA) + "/graceful_fin.pcapng"));
  flow.packets[5].note = "step 6 client recv 100; the client program printed (stdout) 'held by nobody, delayed'";
  flow.packets[7].effects = pcap::effect_bit(pcap::WireEffect::held) | pcap::effect_bit(pcap::WireEffect::delayed);
  flow.packets[8].effects = pcap::effect_bit(pcap::WireEffect::delayed);
  LadderInput in;
  in.packets = flow.packets;
  in.t0_ns = flow.packets.front().mono_ns;
  const auto text = render_ladder(in);
  std::vector<std::string> arrows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.find("---") != std::string::npos) arrows.push_back(line);
  BOOST_REQUIRE_EQUAL(arrows.size(), flow.packets.size());
  BOOST_TEST(arrows[5].find_first_of("HD") == std::string::npos, arrows[5]);
  BOOST_TEST(arrows[7].find("-H-") != std::string::npos, arrows[7]);
  BOOST_TEST(arrows[8].find("-D-") != std::string::npos, arrows[8]);
}

// 80 columns at most; the mismatch marked; a dropped packet crossed out; states under their packet.
BOOST_AUTO_TEST_CASE(ladder_fits_80_columns_and_marks_what_matters) {
  auto flow = pcap::track_flow(pcap::read_capture(std::string(CLOSEPATH_TEST_DATA) + "/graceful_fin.pcapng"));
  flow.packets[6].delivered = false;
  flow.packets[6].note = "step 7 client recv 200; dropped by fault 'step 6 wire blackhole both'";
  LadderInput in;
  in.packets = flow.packets;
  in.states = pcap::infer_states(flow.packets);
  in.marked = 7;
  in.t0_ns = flow.packets.front().mono_ns;
  in.steps.push_back({flow.packets.front().mono_ns, LadderStep::Where::client, "[2] connect => ok", false});
  in.steps.push_back({flow.packets.back().mono_ns, LadderStep::Where::server, "[10] close => ok", true});
  const auto text = render_ladder(in);
  std::istringstream lines(text);
  std::size_t count = 0;
  for (std::string line; std::getline(lines, line); ++count) BOOST_TEST(line.size() <= 80u, line);
  BOOST_TEST(count > flow.packets.size());
  // The marked packet's line starts with "!!" (its time is the golden capture's own).
  const auto marked_at = text.find("    8 F. 101:201 ---");
  BOOST_TEST((marked_at != std::string::npos && text.compare(text.rfind('\n', marked_at) + 1, 2, "!!") == 0), text);
  BOOST_TEST(text.find("-X-") != std::string::npos);
  BOOST_TEST(text.find("dropped by fault 'step 6 wire blackhole both'") != std::string::npos);
  BOOST_TEST(text.find("[FIN_WAIT1]") != std::string::npos);
  BOOST_TEST(text.find("[10] close => ok") != std::string::npos);
  BOOST_TEST(text.find("\x1b[") == std::string::npos);  // no colour unless asked
  in.colour = true;
  BOOST_TEST(render_ladder(in).find("\x1b[31m") != std::string::npos);
}

// Frame numbers of long captures fit: the time column gives way, the line stays 80 columns.
BOOST_AUTO_TEST_CASE(ladder_fits_six_digit_frame_numbers) {
  auto flow = pcap::track_flow(pcap::read_capture(std::string(CLOSEPATH_TEST_DATA) + "/graceful_fin.pcapng"));
  LadderInput in;
  in.t0_ns = flow.packets.front().mono_ns;
  flow.packets[1].frame = 123455;                                  // No. 123456
  flow.packets[1].mono_ns = in.t0_ns + 4'000'000'000'000;          // over an hour in
  in.packets = flow.packets;
  const auto text = render_ladder(in);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) BOOST_TEST(line.size() <= 80u, line);
  BOOST_TEST(text.find("\n4000000 123456  <---") != std::string::npos, text);  // ms, without its decimal
  BOOST_TEST(text.find("      0.0    1 S 0 ---") != std::string::npos, text);
}

// A capture whose clock steps back keeps its packets in file order (the
// order inference read them in), each showing its own time.
BOOST_AUTO_TEST_CASE(ladder_keeps_file_order_when_time_goes_backwards) {
  auto flow = pcap::track_flow(pcap::read_capture(std::string(CLOSEPATH_TEST_DATA) + "/graceful_fin.pcapng"));
  LadderInput in;
  in.t0_ns = flow.packets.front().mono_ns;
  flow.packets[4].mono_ns = in.t0_ns - 5'000'000;  // frame 5 stamped 5 ms before the first
  in.packets = flow.packets;
  const auto text = render_ladder(in);
  std::istringstream lines(text);
  std::vector<int> numbers;
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line))
    if (line.size() > 14 && line[13] != ' ') numbers.push_back(std::stoi(line.substr(10, 4)));
  BOOST_TEST(numbers.size() == flow.packets.size());
  BOOST_TEST(std::is_sorted(numbers.begin(), numbers.end()));
  BOOST_TEST(text.find("     -5.0    5 ") != std::string::npos, text);
}

// A blocking step's outcome is drawn when the application was told, not when
// it asked; a background step's when it ended; await steps are drawn too.
BOOST_AUTO_TEST_CASE(run_ladder_draws_outcomes_where_they_happened) {
  const auto s = parse_scenario_text(R"(name: t
steps:
  - client: connect -> ETIMEDOUT
  - client: recv within 6s -> ETIMEDOUT &
  - client: await
expect:
  wire: [c>s S]
)", "t.yaml");
  RunResult r;
  r.scenario = &s;
  r.start_mono_ns = 1'000'000'000;
  const std::int64_t ms = 1'000'000;
  r.steps.resize(3);
  for (std::size_t i = 0; i < 3; ++i) r.steps[i].step = &s.steps[i];
  r.steps[0].outcome = protocol::Outcome{.end = "ETIMEDOUT", .start_ns = r.start_mono_ns + 100 * ms, .end_ns = r.start_mono_ns + 3172 * ms};
  r.steps[1].outcome = protocol::Outcome{.end = "ETIMEDOUT", .start_ns = r.start_mono_ns + 3200 * ms, .end_ns = r.start_mono_ns + 6300 * ms};
  r.steps[2].outcome = protocol::Outcome{.end = "ok", .start_ns = r.start_mono_ns + 3201 * ms, .end_ns = r.start_mono_ns + 6300 * ms};
  r.steps[2].awaited_step = 2;
  const auto text = run_ladder(r, false);
  BOOST_TEST(text.find("    100.0      [1] connect -> ETIMEDOUT\n") != std::string::npos, text);
  BOOST_TEST(text.find("   3172.0      [1] => ETIMEDOUT\n") != std::string::npos, text);
  BOOST_TEST(text.find("   6300.0      [2] => ETIMEDOUT\n") != std::string::npos, text);
  BOOST_TEST(text.find("   3201.0      [3] await\n") != std::string::npos, text);
  BOOST_TEST(text.find("   6300.0      [3] => step 2 collected\n") != std::string::npos, text);
  BOOST_TEST(text.find("100.0      [1] connect -> ETIMEDOUT =>") == std::string::npos, text);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(frame_comments)

// A program's printed line rides on a frame's comment: whatever it says, it is
// not read as what the wire did with the frame.
BOOST_AUTO_TEST_CASE(program_output_never_reads_as_the_wires_words) {
  const std::string wire = "step 3 server accept; forwarded";
  const std::string comment =
      wire + "; the server program printed (stdout) 'dropped by fault; injected RST; delayed' 0.2 ms before this frame";
  const auto facts = facts_from_comment(comment);
  BOOST_TEST(facts.delivered);
  BOOST_TEST(!facts.injected);
  BOOST_TEST(facts.note == wire);
  BOOST_TEST(!facts_from_comment("step 6 wire drop; dropped by fault 'step 6'").delivered);
}

BOOST_AUTO_TEST_SUITE_END()
