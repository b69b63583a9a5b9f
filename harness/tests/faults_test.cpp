#include "capture_reader.hpp"
#include "decoder.hpp"
#include "netem.hpp"
#include "scenario_parser.hpp"
#include "scripted_faults.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

using namespace closepath;
namespace bdata = boost::unit_test::data;

namespace {

// The frames of a committed capture, each with the leg it arrived on.
std::vector<std::pair<pcap::Dir, pcap::Frame>> legs_of(const std::string& name) {
  std::vector<std::pair<pcap::Dir, pcap::Frame>> out;
  for (auto& f : pcap::read_capture(std::string(CLOSEPATH_TEST_DATA) + "/" + name + ".pcapng")) {
    const auto seg = pcap::decode_ethernet(f.bytes);
    out.emplace_back(seg && seg->src.addr == "10.0.0.1" ? pcap::Dir::c2s : pcap::Dir::s2c, f);
  }
  return out;
}

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
                                  "delay both 9999999999999s", "delay both 601s"}) ^
                         bdata::make({"empty wire step", "unknown wire fault 'teleport'", "expected c>s, s>c or both",
                                      "write 'heal'", "write 'drop PATTERN", "count needs a number from 1 to 1000000, got '0'",
                                      "write 'hold PATTERN", "'until' needs a pattern", "bad duration 'soon'",
                                      "write 'inject rst toward", "toward client, server or both", "expected exact or in-window",
                                      "netem argument '5ms;reboot' is neither a netem keyword",
                                      "count needs a number from 1 to 1000000, got '99999999999999999999'",
                                      "netem argument '-batch' is neither", "a fault's pattern takes no gap or at",
                                      "a fault's pattern takes no gap or at", "bad duration '9999999999999s'",
                                      "duration '601s' is longer than 600 s"}),
                     text, reason) {
  try {
    parse_wire_step(text);
    BOOST_FAIL("accepted '" << text << "'");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find(reason) != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(wire_steps_parse) {
  const auto drop = std::get<Drop>(parse_wire_step("drop s>c +F count 2").action);
  BOOST_TEST(drop.count == 2u);
  BOOST_TEST(drop.match.flags_include);
  const auto hold = std::get<Hold>(parse_wire_step("hold c>s +F until s>c +F").action);
  BOOST_TEST(hold.until.has_value());
  BOOST_TEST((std::get<InjectRst>(parse_wire_step("inject rst toward client in-window").action).toward == std::vector<Side>{Side::client}));
  BOOST_TEST(!std::get<InjectRst>(parse_wire_step("inject rst toward client in-window").action).exact);
  BOOST_TEST(std::get<Delay>(parse_wire_step("delay c>s 50ms").action).by.count() == 50);
}

// A blackhole drops everything in its directions, from the step on, until heal.
BOOST_AUTO_TEST_CASE(blackhole_drops_one_direction_until_heal) {
  ScriptedFaults faults;
  const auto frames = legs_of("graceful_fin");
  BOOST_TEST(!faults.apply(Blackhole{Dirs::s2c}, "bh"));
  const auto actions = feed(faults, frames);
  for (std::size_t i = 0; i < frames.size(); ++i)
    BOOST_TEST((actions[i] == (frames[i].first == pcap::Dir::s2c ? Action::drop : Action::forward)), "frame " << i + 1);
  faults.apply(Heal{}, "heal");
  BOOST_TEST((faults.on_frame(pcap::Dir::s2c, frames[1].second.bytes).action == Action::forward));
}

// drop PATTERN count N takes the next N matching packets only.
BOOST_AUTO_TEST_CASE(drop_takes_only_the_counted_matches) {
  ScriptedFaults faults;
  faults.apply(parse_wire_step("drop c>s . len 0 count 2").action, "drop");
  const auto actions = feed(faults, legs_of("graceful_fin"));
  // c>s pure ACKs are frames 3, 7 and 11: the first two go.
  BOOST_TEST((actions[2] == Action::drop && actions[6] == Action::drop && actions[10] == Action::forward));
  BOOST_TEST(std::count(actions.begin(), actions.end(), Action::drop) == 2);
}

// The port pair's second connection (time_wait_reuse) is numbered from its own SYN: a fault or a
// barrier written for it ("ack 101", "ack fin") matches it, not the first connection's numbers.
BOOST_AUTO_TEST_CASE(a_new_syn_renumbers_the_wire) {
  ScriptedFaults faults;
  faults.apply(parse_wire_step("drop s>c . ack 101").action, "drop");
  const auto actions = feed(faults, legs_of("time_wait_reuse"));
  BOOST_TEST(std::count(actions.begin(), actions.end(), Action::drop) == 1);
  BOOST_TEST((actions[11] == Action::drop));  // frame 12: s>c . seq 1 ack 101
  ScriptedFaults fins;
  fins.apply(parse_wire_step("drop s>c . ack fin count 2").action, "drop");
  const auto acks = feed(fins, legs_of("time_wait_reuse"));
  BOOST_TEST((acks[6] == Action::drop && acks[13] == Action::drop));  // frames 7 and 14: each connection's ACK of a FIN
}

// hold ... until ...: the held FIN is released by the other side's FIN.
BOOST_AUTO_TEST_CASE(hold_releases_when_its_trigger_passes) {
  ScriptedFaults faults;
  faults.apply(parse_wire_step("hold c>s +F until s>c +F").action, "hold");
  const auto frames = legs_of("graceful_fin");
  for (std::size_t i = 0; i < 7; ++i) faults.on_frame(frames[i].first, frames[i].second.bytes);
  const auto fin = faults.on_frame(frames[7].first, frames[7].second.bytes);  // c>s F.
  BOOST_TEST((fin.action == Action::hold));
  BOOST_TEST(fin.note.find("held by fault 'hold'") == 0);
  faults.on_frame(frames[8].first, frames[8].second.bytes);  // s>c . (not the trigger)
  const auto trigger = faults.on_frame(frames[9].first, frames[9].second.bytes);  // s>c F.
  BOOST_TEST((trigger.action == Action::forward));
  BOOST_TEST(trigger.release == std::vector<int>{fin.hold});
}

// An exact RST carries the receiver's RCV.NXT; an in-window one is 1000 past it.
BOOST_AUTO_TEST_CASE(injected_rst_takes_numbers_from_the_flow) {
  ScriptedFaults faults;
  BOOST_TEST(*faults.apply(InjectRst{{Side::client, Side::server}, true}, "early") == "no connection on the wire yet: nothing to reset");
  const auto frames = legs_of("linger_zero");
  for (std::size_t i = 0; i < 5; ++i) faults.on_frame(frames[i].first, frames[i].second.bytes);
  BOOST_TEST(!faults.apply(InjectRst{{Side::client, Side::server}, true}, "mb"));
  BOOST_TEST(!faults.apply(InjectRst{{Side::server}, false}, "mb2"));
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
