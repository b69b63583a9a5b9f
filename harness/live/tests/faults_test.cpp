#include "capture_legs.hpp"
#include "decoder.hpp"
#include "frame_facts.hpp"
#include "judge.hpp"
#include "netem.hpp"
#include "scenario_parser.hpp"
#include "scripted_faults.hpp"
#include "step_rejects.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

using namespace closepath;
namespace bdata = boost::unit_test::data;

namespace {

using testing::legs_of;
using Action = WireDecision::Action;

std::vector<Action> feed(ScriptedFaults& faults, const std::vector<std::pair<pcap::Dir, pcap::Frame>>& frames) {
  std::vector<Action> actions;
  for (const auto& [leg, f] : frames) actions.push_back(faults.on_frame(leg, f.bytes).action);
  return actions;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(faults)

// Each row: a wire step, and the error it must give.
BOOST_DATA_TEST_CASE(wire_steps_reject_with_a_reason,
                     bdata::make({"", "teleport", "blackhole sideways", "heal now", "drop", "drop c>s F count 0",
                                  "hold until s>c F", "hold c>s F until", "delay both soon", "inject fin toward server",
                                  "inject rst toward proxy", "inject rst toward server nearly", "netem both delay 5ms;reboot",
                                  "drop c>s F count 99999999999999999999", "netem both -batch /etc/passwd",
                                  "drop c>s F gap 1s..2s", "hold c>s F until s>c F at 1s..2s after step 1",
                                  "delay both 9999999999999s", "delay both 601s", "release 0", "release all", "release 1 2"}) ^
                         bdata::make({"empty wire step", "unknown wire fault 'teleport'", "expected c>s, s>c or both",
                                      "write 'heal'", "write 'drop PATTERN", "count needs a number from 1 to 1000000, got '0'",
                                      "write 'hold PATTERN", "'until' needs a pattern", "bad duration 'soon'",
                                      "write 'inject rst toward", "toward client, server or both", "expected exact or in-window",
                                      "netem argument '5ms;reboot' is neither a netem keyword",
                                      "count needs a number from 1 to 1000000, got '99999999999999999999'",
                                      "netem argument '-batch' is neither", "a fault's pattern takes no 'gap'",
                                      "a fault's pattern takes no 'at'", "duration '9999999999999s' is longer than 600 s",
                                      "duration '601s' is longer than 600 s", "release N needs a number from 1 to 1000000, got '0'",
                                      "release N needs a number from 1 to 1000000, got 'all'", "write 'release [N]'"}),
                     text, reason) {
  testing::check_rejected(text, reason);
}

BOOST_AUTO_TEST_CASE(wire_steps_parse) {
  const auto drop = std::get<Drop>(parse_wire_step("drop s>c +F count 2").action);
  BOOST_TEST(drop.count == 2u);
  BOOST_TEST(drop.match.flags_include);
  const auto hold = std::get<Hold>(parse_wire_step("hold c>s +F until s>c +F").action);
  BOOST_TEST(hold.until.has_value());
  BOOST_TEST((std::get<Inject>(parse_wire_step("inject rst toward client in-window").action).toward == std::vector<Side>{Side::client}));
  BOOST_TEST(!std::get<Inject>(parse_wire_step("inject rst toward client in-window").action).exact);
  BOOST_TEST(std::get<Delay>(parse_wire_step("delay c>s 50ms").action).by.count() == 50);
  BOOST_TEST(!std::get<Release>(parse_wire_step("release").action).count);
  BOOST_TEST(*std::get<Release>(parse_wire_step("release 2").action).count == 2u);
}

// A blackhole drops everything in its directions, from the step on, until heal.
BOOST_AUTO_TEST_CASE(blackhole_drops_one_direction_until_heal) {
  ScriptedFaults faults;
  const auto frames = legs_of("graceful_fin");
  BOOST_TEST(!faults.apply(Blackhole{Dirs::s2c}, 0, "bh"));
  const auto actions = feed(faults, frames);
  for (std::size_t i = 0; i < frames.size(); ++i)
    BOOST_TEST((actions[i] == (frames[i].first == pcap::Dir::s2c ? Action::drop : Action::forward)), "frame " << i + 1);
  faults.apply(Heal{}, 0, "heal");
  BOOST_TEST((faults.on_frame(pcap::Dir::s2c, frames[1].second.bytes).action == Action::forward));
}

// duplicate PATTERN count N forwards the next N matches, each with a copy of its own bytes, marked injected by the step.
BOOST_AUTO_TEST_CASE(duplicate_copies_the_counted_matches) {
  ScriptedFaults faults;
  faults.apply(parse_wire_step("duplicate c>s . len 0 count 2").action, 4, "step 5 wire duplicate");
  const auto frames = legs_of("graceful_fin");
  std::vector<std::size_t> copied;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto d = faults.on_frame(frames[i].first, frames[i].second.bytes);
    BOOST_TEST((d.action == Action::forward));
    if (!d.copy) continue;
    copied.push_back(i);
    BOOST_TEST((d.copy->frame == frames[i].second.bytes));
    BOOST_TEST((d.copy->travels == frames[i].first));
    BOOST_TEST((d.copy->mark == FaultMark{FaultMark::Effect::injected, 4}));
  }
  // c>s pure ACKs are frames 3, 7 and 11: the first two are copied.
  BOOST_TEST((copied == std::vector<std::size_t>{2, 6}));
}

// A delayed frame is copied too, and its copy is delayed as much, so it stays right behind its original.
BOOST_AUTO_TEST_CASE(duplicate_copies_a_delayed_frame_with_its_delay) {
  ScriptedFaults faults;
  faults.apply(parse_wire_step("delay s>c 50ms").action, 1, "delay");
  faults.apply(parse_wire_step("duplicate s>c F.").action, 2, "duplicate");
  const auto frames = legs_of("graceful_fin");
  std::vector<std::size_t> copied;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto d = faults.on_frame(frames[i].first, frames[i].second.bytes);
    if (!d.copy) continue;
    copied.push_back(i);
    BOOST_TEST((d.action == Action::delay));
    BOOST_TEST(d.copy_delay.count() == d.delay.count());
    BOOST_TEST(d.delay.count() == 50'000'000);
  }
  BOOST_TEST((copied == std::vector<std::size_t>{9}));  // the s>c F., delayed, is copied
}

// drop PATTERN count N takes the next N matching packets only.
BOOST_AUTO_TEST_CASE(drop_takes_only_the_counted_matches) {
  ScriptedFaults faults;
  faults.apply(parse_wire_step("drop c>s . len 0 count 2").action, 0, "drop");
  const auto actions = feed(faults, legs_of("graceful_fin"));
  // c>s pure ACKs are frames 3, 7 and 11: the first two go.
  BOOST_TEST((actions[2] == Action::drop && actions[6] == Action::drop && actions[10] == Action::forward));
  BOOST_TEST(std::count(actions.begin(), actions.end(), Action::drop) == 2);
}

// The port pair's second connection (time_wait_reuse) is numbered from its own SYN: a fault or a
// barrier written for it ("ack 101", "ack fin") matches it, not the first connection's numbers.
BOOST_AUTO_TEST_CASE(a_new_syn_renumbers_the_wire) {
  ScriptedFaults faults;
  faults.apply(parse_wire_step("drop s>c . ack 101").action, 0, "drop");
  const auto actions = feed(faults, legs_of("time_wait_reuse"));
  BOOST_TEST(std::count(actions.begin(), actions.end(), Action::drop) == 1);
  BOOST_TEST((actions[11] == Action::drop));  // frame 12: s>c . seq 1 ack 101
  ScriptedFaults fins;
  fins.apply(parse_wire_step("drop s>c . ack fin count 2").action, 0, "drop");
  const auto acks = feed(fins, legs_of("time_wait_reuse"));
  BOOST_TEST((acks[6] == Action::drop && acks[13] == Action::drop));  // frames 7 and 14: each connection's ACK of a FIN
}

// inject DIR FLAGS ...: a segment spoofed from DIR's sender, seq from its SND.NXT and ack from its RCV.NXT, with a payload.
BOOST_AUTO_TEST_CASE(injected_segment_takes_numbers_from_the_flow) {
  ScriptedFaults faults;
  const auto fin = parse_wire_step("inject c>s FP. seq -1 ack +2 len 10 win 7").action;
  BOOST_TEST(*faults.apply(fin, 0, "early") == "no connection on the wire yet: nothing to inject into");
  const auto frames = legs_of("linger_zero");
  for (std::size_t i = 0; i < 5; ++i) faults.on_frame(frames[i].first, frames[i].second.bytes);
  BOOST_TEST(!faults.apply(fin, 3, "spoof"));
  const auto work = faults.take_work();
  BOOST_REQUIRE_EQUAL(work.inject.size(), 1u);
  const auto seg = pcap::decode_ethernet(work.inject[0].frame);
  const auto data = pcap::decode_ethernet(frames[3].second.bytes);  // c>s 1000 bytes
  const auto ack = pcap::decode_ethernet(frames[4].second.bytes);   // s>c ack 1001
  BOOST_REQUIRE(seg && data && ack);
  BOOST_TEST((work.inject[0].travels == pcap::Dir::c2s));
  BOOST_TEST(seg->flags == (pcap::kFin | pcap::kPsh | pcap::kAck));
  BOOST_TEST(seg->seq == data->seq + 1000u - 1u);  // the client's SND.NXT - 1
  BOOST_TEST(seg->ack == ack->seq + 2u);            // its RCV.NXT + 2
  BOOST_TEST(seg->payload_len == 10u);
  BOOST_TEST(seg->window == 7u);
  BOOST_TEST(seg->src.port == data->src.port);
  BOOST_TEST((work.inject[0].mark == FaultMark{FaultMark::Effect::injected, 3}));
  BOOST_TEST(work.inject[0].note.find("injected c>s FP. by fault 'spoof' (seq = the client's SND.NXT - 1, ack = its RCV.NXT + 2, 10 bytes)") == 0,
             work.inject[0].note);
}

// The inject grammar: DIR and exact FLAGS, then seq/ack offsets, len and win, each once.
BOOST_AUTO_TEST_CASE(inject_segment_grammar) {
  const auto s = *std::get<Inject>(parse_wire_step("inject s>c . ack -1").action).segment;
  BOOST_TEST((s.dir == pcap::Dir::s2c));
  BOOST_TEST(s.flags == pcap::kAck);
  BOOST_TEST(s.ack == -1);
  BOOST_TEST(!s.win);
  auto message = [](const std::string& text) -> std::string {
    try {
      parse_wire_step(text);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  BOOST_TEST(message("inject c>s F. seq 5") == "seq takes +N or -N (relative to where the wire has the connection), got '5'");
  BOOST_TEST(message("inject c>s +F") == "inject DIR FLAGS takes exact flags (S, F., P., R, ...), not '+F'");
  BOOST_TEST(message("inject c>s F. len 2000") == "len takes a number from 0 to 1400, got '2000'");
  BOOST_TEST(message("inject c>s F. ack +1 ack +2") == "'ack' is given twice");
  BOOST_TEST(message("inject c>s F. ttl 3") == "unknown inject field 'ttl' (known: seq, ack, len, win, mss, wscale, sackOK, TS, tsval)");
  BOOST_TEST(message("inject c>s F. seq") == "'seq' needs a value");
  BOOST_TEST(message("inject c>s S wscale 15") == "wscale takes a number from 0 to 14, got '15'");
  BOOST_TEST(message("inject c>s S TS TS") == "'TS' is given twice");
  BOOST_TEST(message("inject c>s . tsval 5") == "tsval takes +N or -N (relative to where the wire has the connection), got '5'");
  const auto o = std::get<Inject>(parse_wire_step("inject c>s S mss 1000 sackOK wscale 7").action).segment->options;
  BOOST_TEST((o == pcap::TcpOptions{.mss = 1000, .wscale = 7, .sack_ok = true, .timestamps = false}));
}

// TS: TSval is the sender's last on the wire moved by tsval, TSecr the other end's last TSval.
BOOST_AUTO_TEST_CASE(injected_timestamps_follow_the_flow) {
  ScriptedFaults faults;
  const auto frames = legs_of("linger_zero");
  for (std::size_t i = 0; i < 5; ++i) faults.on_frame(frames[i].first, frames[i].second.bytes);
  BOOST_TEST(!faults.apply(parse_wire_step("inject c>s F. ack +9999 tsval +200000").action, 3, "bad ack"));
  const auto work = faults.take_work();
  BOOST_REQUIRE_EQUAL(work.inject.size(), 1u);
  const auto seg = pcap::decode_ethernet(work.inject[0].frame);
  const auto data = pcap::decode_ethernet(frames[3].second.bytes);  // the client's last segment
  const auto ack = pcap::decode_ethernet(frames[4].second.bytes);   // the server's last
  BOOST_REQUIRE(seg && data && ack);
  BOOST_REQUIRE(data->options.timestamps);
  BOOST_TEST(seg->options.timestamps);
  BOOST_TEST(seg->options.ts_val == data->options.ts_val + 200000u);
  BOOST_TEST(seg->options.ts_ecr == ack->options.ts_val);
  BOOST_TEST(seg->checksum_ok);
  BOOST_TEST(work.inject[0].note.find("TSval = its last + 200000") != std::string::npos, work.inject[0].note);
}

// An exact RST carries the receiver's RCV.NXT; an in-window one is 1000 past it.
BOOST_AUTO_TEST_CASE(injected_rst_takes_numbers_from_the_flow) {
  ScriptedFaults faults;
  BOOST_TEST(*faults.apply(Inject{{Side::client, Side::server}, true}, 0, "early") == "no connection on the wire yet: nothing to reset");
  const auto frames = legs_of("linger_zero");
  for (std::size_t i = 0; i < 5; ++i) faults.on_frame(frames[i].first, frames[i].second.bytes);
  BOOST_TEST(!faults.apply(Inject{{Side::client, Side::server}, true}, 0, "mb"));
  BOOST_TEST(!faults.apply(Inject{{Side::server}, false}, 0, "mb2"));
  const auto work = faults.take_work();
  BOOST_REQUIRE_EQUAL(work.inject.size(), 3u);
  const auto to_server = pcap::decode_ethernet(work.inject[0].frame);
  const auto to_client = pcap::decode_ethernet(work.inject[1].frame);
  const auto in_window = pcap::decode_ethernet(work.inject[2].frame);
  const auto data = pcap::decode_ethernet(frames[3].second.bytes);  // c>s 1000 bytes
  const auto ack = pcap::decode_ethernet(frames[4].second.bytes);   // s>c ack 1001
  BOOST_REQUIRE(to_server && to_client && in_window && data && ack);
  BOOST_TEST((work.inject[0].travels == pcap::Dir::c2s));
  BOOST_TEST(to_server->src.addr == "10.0.0.1");
  BOOST_TEST(to_server->seq == data->seq + 1000);
  BOOST_TEST(to_server->ack == ack->seq);
  BOOST_TEST(to_server->flags == (pcap::kRst | pcap::kAck));
  BOOST_TEST(to_server->checksum_ok);
  BOOST_TEST(to_client->seq == ack->seq);
  BOOST_TEST(to_client->ack == data->seq + 1000);
  BOOST_TEST(in_window->seq == data->seq + 2000);
  BOOST_TEST(faults.take_work().inject.empty());
}

// Every pattern word means in a fault what it means in `expect`: a drop takes
// exactly the frames whose packet, as the judge numbers the capture, matches.
BOOST_DATA_TEST_CASE(a_fault_takes_what_the_judge_would_match,
                     bdata::make({"c>s S mss 1460", "s>c S. wscale 10", "c>s S sackOK TS", "c>s S wscale 7", "s>c * win 0",
                                  "s>c . win 64", "c>s +F win 63", "c>s * TS", "s>c . ack fin", "c>s . len 0 win 63",
                                  "s>c R win 0"}) *
                         bdata::make({"graceful_fin", "linger_zero", "write_after_peer_close", "time_wait_reuse", "tcp_fast_open"}),
                     pattern, capture) {
  const auto frames = legs_of(capture);
  std::vector<pcap::Frame> raw;
  for (const auto& [leg, f] : frames) raw.push_back(f);
  const auto flow = pcap::track_flow(raw, std::string("10.0.0.1"), true);
  const auto match = pcap::parse_packet_pattern(pattern);
  std::vector<bool> judged(frames.size(), false);
  for (const auto& p : flow.packets) judged[p.frame] = pcap::packet_matches(match, p);
  ScriptedFaults faults;
  faults.apply(parse_wire_step(std::string("drop ") + pattern + " count 1000").action, 0, "drop");
  const auto actions = feed(faults, frames);
  for (std::size_t i = 0; i < frames.size(); ++i) BOOST_TEST((actions[i] == Action::drop) == judged[i], "frame " << i + 1);
}

// The words that never matched on the wire before match now where they should.
BOOST_AUTO_TEST_CASE(fault_patterns_read_the_window_and_the_options) {
  auto dropped = [](const char* capture, const std::string& step) {
    ScriptedFaults faults;
    faults.apply(parse_wire_step(step).action, 0, "f");
    const auto actions = feed(faults, legs_of(capture));
    return std::count(actions.begin(), actions.end(), Action::drop);
  };
  BOOST_TEST(dropped("graceful_fin", "drop c>s S mss 1460") == 1);
  BOOST_TEST(dropped("graceful_fin", "drop c>s S mss 1440") == 0);
  BOOST_TEST(dropped("graceful_fin", "drop s>c S. wscale 10 sackOK TS") == 1);
  BOOST_TEST(dropped("write_after_peer_close", "drop s>c * win 0 count 5") == 1);  // the bare RST, not the ACKs
  BOOST_TEST(dropped("graceful_fin", "drop s>c . win 64 count 9") == 2);  // frames 5 and 9
}

// A barrier counts as the judge does too: `s>c * win 0` is the RST, not any ACK.
BOOST_AUTO_TEST_CASE(a_barrier_counts_what_the_judge_would_match) {
  ScriptedFaults faults;
  for (const auto& [leg, f] : legs_of("write_after_peer_close")) {
    faults.on_frame(leg, f.bytes);
    faults.frame_handled();
  }
  const auto count = [&](const char* pattern) {
    return faults.wait_for(pcap::parse_packet_pattern(pattern), 100, 0, std::chrono::milliseconds(0), [] { return false; });
  };
  BOOST_TEST(count("s>c * win 0") == 1u);
  BOOST_TEST(count("c>s . win 63") == 2u);
  BOOST_TEST(count("s>c . win 0") == 0u);  // no ACK carries a zero window
  BOOST_TEST(count("c>s S mss 1460 wscale 10") == 1u);
}

// A blackhole or a drop set while a delay is on drops: delaying is not dropping.
BOOST_AUTO_TEST_CASE(a_drop_takes_frames_a_delay_would_have) {
  ScriptedFaults faults;
  faults.apply(parse_wire_step("delay both 50ms").action, 1, "delay");
  faults.apply(parse_wire_step("drop c>s +F").action, 2, "drop");
  faults.apply(parse_wire_step("blackhole s>c").action, 3, "bh");
  const auto actions = feed(faults, legs_of("graceful_fin"));
  BOOST_TEST((actions[7] == Action::drop));  // c>s F.
  BOOST_TEST((actions[9] == Action::drop));  // s>c F.
  BOOST_TEST((actions[10] == Action::delay));  // c>s . after the FIN
  // Ending the delay in one direction keeps it in the other.
  ScriptedFaults one;
  one.apply(parse_wire_step("delay both 50ms").action, 1, "delay");
  one.apply(parse_wire_step("delay c>s 0ms").action, 2, "end");
  const auto rest = feed(one, legs_of("graceful_fin"));
  BOOST_TEST((rest[0] == Action::forward));  // c>s S
  BOOST_TEST((rest[1] == Action::delay));    // s>c S.
}

namespace {

// The run's frames as the wire records them, with each decision's marks.
std::vector<WireFrame> recorded(ScriptedFaults& faults, const std::vector<std::pair<pcap::Dir, pcap::Frame>>& frames) {
  std::vector<WireFrame> out;
  for (const auto& [leg, f] : frames) {
    const auto d = faults.on_frame(leg, f.bytes);
    out.push_back({.frame = f, .forwarded = d.action != Action::drop, .marks = d.marks, .note = d.note});
  }
  return out;
}

StepResult fault_result(const Step& step, std::size_t touched) {
  StepResult r;
  r.step = &step;
  r.outcome = protocol::Outcome{.end = "ok"};
  r.touched = touched;
  return r;
}

}  // namespace

// A drop, hold or inject that touched fewer packets than it names fails at its step.
BOOST_AUTO_TEST_CASE(a_fault_that_touched_too_little_fails) {
  ScriptedFaults faults;
  faults.apply(parse_wire_step("drop c>s P. count 2").action, 3, "drop");
  faults.apply(parse_wire_step("hold s>c R").action, 4, "hold");
  faults.apply(parse_wire_step("blackhole s>c").action, 5, "bh");
  const auto touched = touched_per_step(recorded(faults, legs_of("graceful_fin")));
  BOOST_TEST(touched.at(3) == 1u);  // the one data packet
  BOOST_TEST(!touched.contains(4));
  BOOST_TEST(touched.at(5) == 5u);  // every s>c frame
  const Step drop{.line = 9, .text = "wire drop c>s P. count 2", .what = parse_wire_step("drop c>s P. count 2")};
  const Step hold{.line = 10, .text = "wire hold s>c R", .what = parse_wire_step("hold s>c R")};
  const Step inject{.line = 11, .text = "wire inject rst toward both", .what = parse_wire_step("inject rst toward both")};
  const Step blackhole{.line = 12, .text = "wire blackhole both", .what = parse_wire_step("blackhole both")};
  BOOST_TEST(*judge_fault(fault_result(drop, 1)) == "expected to drop 2 packets vs dropped 1");
  BOOST_TEST(!judge_fault(fault_result(drop, 2)));
  BOOST_TEST(*judge_fault(fault_result(hold, 0)) == "expected to hold at least 1 packet vs held 0");
  BOOST_TEST(*judge_fault(fault_result(inject, 1)) == "expected to inject 2 segments vs injected 1");
  const Step release{.line = 13, .text = "wire release 2", .what = parse_wire_step("release 2")};
  BOOST_TEST(*judge_fault(fault_result(release, 1)) == "expected to release 2 packets vs released 1");
  const Step release_all{.line = 14, .text = "wire release", .what = parse_wire_step("release")};
  BOOST_TEST(!judge_fault(fault_result(release_all, 0)));  // every held frame, however many
  BOOST_TEST(!judge_fault(fault_result(blackhole, 0)));  // a blackhole only says what it did
  BOOST_TEST(fault_count_text(std::get<WireStep>(blackhole.what).action, 0) == "dropped 0 frames");
}

// netem sits on the egress of the leg toward the packets' receiver; tc gets plain arguments.
BOOST_AUTO_TEST_CASE(netem_commands_target_the_right_legs) {
  const auto n = std::get<Netem>(parse_wire_step("netem c>s delay 50ms 10ms loss 1%").action);
  const auto commands = netem_commands(n);
  BOOST_REQUIRE_EQUAL(commands.size(), 1u);
  BOOST_TEST((commands[0] == std::vector<std::string>{"tc", "qdisc", "replace", "dev", "ws", "root", "netem", "delay",
                                                       "50ms", "10ms", "loss", "1%"}));
  BOOST_TEST(netem_commands(std::get<Netem>(parse_wire_step("netem both rate 1mbit").action)).size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
