#include "catalogue.hpp"
#include "scenario_parser.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

using namespace closepath;
namespace bdata = boost::unit_test::data;

namespace {

const std::string kGood = R"(# Claim: a test scenario.
# Second line of the claim.
name: sample
summary: a sample
tags: [fin]
sysctl:
  client: {net.ipv4.tcp_fin_timeout: 1}
steps:
  - server: listen
  - client: connect within 2s
  - server: accept
  - client: send 1000
  - server: recv 1000
  - wait: 50ms
  - client: set linger 0
  - client: close
  - server: recv -> ECONNRESET
  - server: recv all -> 0 eof
expect:
  wire:
    - c>s S
    - ...
    - c>s R. seq 1001 ack 1
  forbid: [c>s F.]
)";

// The error a text gets, or "" when it parses.
std::string error_of(const std::string& text) {
  try {
    parse_scenario_text(text, "t.yaml");
    return "";
  } catch (const ScenarioError& e) {
    return e.what();
  }
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(scenario_parser)

BOOST_AUTO_TEST_CASE(parser_reads_a_complete_scenario) {
  const auto s = parse_scenario_text(kGood, "t.yaml");
  BOOST_TEST(s.name == "sample");
  BOOST_TEST(s.claim == "Claim: a test scenario. Second line of the claim.");
  BOOST_TEST(s.sysctl.at(Side::client).at("net.ipv4.tcp_fin_timeout").value == "1");
  BOOST_REQUIRE_EQUAL(s.steps.size(), 10u);
  BOOST_TEST(s.steps[0].line == 9);
  const auto& connect = std::get<PeerStep>(s.steps[1].what);
  BOOST_TEST(connect.within.count() == 2000);
  const auto& send = std::get<PeerStep>(s.steps[3].what);
  BOOST_TEST(*send.expect.bytes == 1000u);  // send N expects N bytes by default
  BOOST_TEST(std::get<WaitStep>(s.steps[5].what).duration.count() == 50);
  const auto& reset = std::get<PeerStep>(s.steps[8].what);
  BOOST_TEST(reset.expect.end == "ECONNRESET");
  BOOST_TEST(!reset.expect.bytes);
  const auto& all = std::get<PeerStep>(s.steps[9].what);
  BOOST_TEST((std::get<Recv>(all.action).mode == Recv::Mode::all));
  BOOST_TEST(*all.expect.bytes == 0u);
  BOOST_TEST(all.expect.end == "eof");
  BOOST_REQUIRE_EQUAL(s.wire.size(), 3u);
  BOOST_TEST(s.wire[2].line == 23);
  BOOST_TEST(s.forbid[0].line == 24);
}

// Each row: one edit to the good scenario, and the exact error it must give.
BOOST_DATA_TEST_CASE(
    parser_names_file_line_and_problem,
    bdata::make({"steps:\n  - server: listen", "  - client: close", "  - server: accept", "  - client: send 1000",
                 "    - c>s S\n", "  forbid: [c>s F.]", "name: sample", "net.ipv4.tcp_fin_timeout",
                 "  - wait: 50ms", "  - server: recv -> ECONNRESET", "tags: [fin]"}) ^
        bdata::make({"steps:\n  - server: [listen", "  - client: fly", "  - proxy: accept", "  - client: send lots",
                     "    - c>s Q\n", "  forbid: [...]", "name: Sample", "kernel.panic", "  - wait: soon",
                     "  - server: recv -> ECONNRESTE", "tags: [fin]\ncolour: blue"}) ^
        bdata::make({"t.yaml:10: bad YAML: while parsing a flow sequence: did not find expected", "t.yaml:16: unknown action 'fly'", "t.yaml:11: unknown peer 'proxy'",
                     "t.yaml:12: send needs a number, got 'lots'", "t.yaml:21: unknown TCP flag 'Q'",
                     "t.yaml:24: '...' cannot stand alone here", "t.yaml:3: name 'Sample' must be 1 to 64 lowercase",
                     "t.yaml:7: sysctl 'kernel.panic' is not a per-namespace", "t.yaml:14: bad duration 'soon'",
                     "t.yaml:17: unknown outcome 'ECONNRESTE'", "t.yaml:6: unknown key 'colour'"}),
    from, to, expected) {
  const auto error = error_of(replace(kGood, from, to));
  BOOST_TEST(error.rfind(expected, 0) == 0, "got: " << error);
}

// Background steps, await, messages, TLS and crash.
BOOST_AUTO_TEST_CASE(parser_reads_application_level_steps) {
  const auto bg = parse_peer_step(Side::client, "recv message -> 16384 stream_truncated &");
  BOOST_TEST(bg.background);
  BOOST_TEST(std::holds_alternative<RecvMessage>(bg.action));
  BOOST_TEST(bg.expect.end == "stream_truncated");
  BOOST_TEST(*bg.expect.bytes == 16384u);
  const auto msg = std::get<SendMessage>(parse_peer_step(Side::server, "send message 65536 16384").action);
  BOOST_TEST(msg.announce == 65536u);
  BOOST_TEST(msg.bytes == 16384u);
  BOOST_TEST(parse_peer_step(Side::server, "crash").expect.end == "killed");
  BOOST_TEST(std::holds_alternative<TlsStall>(parse_peer_step(Side::server, "tls stall").action));
  BOOST_CHECK_THROW(parse_peer_step(Side::server, "send message 10 20"), std::invalid_argument);
  BOOST_CHECK_THROW(parse_peer_step(Side::server, "await &"), std::invalid_argument);
  BOOST_CHECK_THROW(parse_peer_step(Side::server, "await -> eof"), std::invalid_argument);
  BOOST_CHECK_THROW(parse_peer_step(Side::server, "tls dance"), std::invalid_argument);
  BOOST_CHECK_THROW(parse_peer_step(Side::server, "recv -> timeout"), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(parser_requires_steps_and_wire) {
  BOOST_TEST(error_of("name: x\nexpect:\n  wire: [c>s S]\n").rfind("t.yaml:1: missing 'steps'", 0) == 0);
  BOOST_TEST(error_of("name: x\nsteps:\n  - client: connect\nexpect: {}\n").find("expect.wire is required") != std::string::npos);
  BOOST_TEST(error_of("- a\n- b\n").rfind("t.yaml:1: a scenario is a mapping", 0) == 0);
}

BOOST_AUTO_TEST_CASE(parser_reads_every_catalogue_file) {
  const auto files = catalogue_files(CLOSEPATH_SCENARIO_DIR);
  BOOST_TEST(files.size() >= 6u);
  for (const auto& f : files) {
    const auto s = parse_scenario_file(f);
    BOOST_TEST(s.name == f.stem().string());
    BOOST_TEST(!s.claim.empty(), f << " opens with no claim");
    BOOST_TEST(s.states.size() == 2u, f << " must expect both sides' states");
  }
}

BOOST_AUTO_TEST_CASE(catalogue_resolves_names_and_rejects_unknown_ones) {
  BOOST_TEST(resolve_scenario("linger_zero", CLOSEPATH_SCENARIO_DIR).filename() == "linger_zero.yaml");
  BOOST_CHECK_THROW(resolve_scenario("no_such_scenario", CLOSEPATH_SCENARIO_DIR), ScenarioError);
  BOOST_CHECK_THROW(resolve_scenario("./missing.yaml", CLOSEPATH_SCENARIO_DIR), ScenarioError);
}

// One grammar of times: what a timing window takes, a duration takes too (to the millisecond).
BOOST_AUTO_TEST_CASE(durations_read_as_times_do) {
  BOOST_TEST(parse_duration("1.5s").count() == 1500);
  BOOST_TEST(parse_duration("250ms").count() == 250);
  BOOST_TEST(parse_duration("0.25s").count() == 250);
  BOOST_CHECK_THROW(parse_duration("1.5ms"), std::invalid_argument);
  BOOST_CHECK_THROW(parse_duration("601s"), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

// drain: wait until everything sent is acknowledged (the step's own deadline applies).
BOOST_AUTO_TEST_CASE(drain_is_a_peer_action) {
  const auto d = parse_peer_step(Side::server, "drain within 2s");
  BOOST_TEST(std::holds_alternative<Drain>(d.action));
  BOOST_TEST(d.within.count() == 2000);
  BOOST_CHECK_THROW(parse_peer_step(Side::server, "drain now"), std::invalid_argument);
}

// get so_error reads an errno name as its end; get tcp_info, a state and counters (exact or ranges).
BOOST_AUTO_TEST_CASE(get_reads_so_error_and_tcp_info) {
  const auto err = parse_peer_step(Side::client, "get so_error -> ETIMEDOUT");
  BOOST_TEST((std::get<protocol::Get>(err.action).item == protocol::Get::Item::so_error));
  BOOST_TEST(err.expect.end == "ETIMEDOUT");
  const auto info = parse_peer_step(Side::client, "get tcp_info -> state FIN_WAIT1 unacked 1 retransmits 2..4");
  BOOST_TEST((std::get<protocol::Get>(info.action).item == protocol::Get::Item::tcp_info));
  BOOST_TEST(info.expect.end == "ok");
  BOOST_TEST(*info.expect.state == "FIN_WAIT1");
  BOOST_TEST(info.expect.counters.at("unacked").low == 1u);
  BOOST_TEST(info.expect.counters.at("unacked").high == 1u);
  BOOST_TEST(info.expect.counters.at("retransmits").high == 4u);
  BOOST_TEST(*parse_peer_step(Side::client, "get tcp_info -> state TCP_CLOSE_WAIT").expect.state == "CLOSE_WAIT");
  auto message = [](const std::string& text) -> std::string {
    try {
      parse_peer_step(Side::client, text);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  BOOST_TEST(message("get tcp_info -> state SLEEPING").rfind("unknown TCP state 'SLEEPING'", 0) == 0);
  BOOST_TEST(message("get tcp_info -> state ...") == "'state' takes one state name, got '...'");
  BOOST_TEST(message("get tcp_info -> unacked") == "'unacked' needs a value, e.g. 'unacked 2'");
  BOOST_TEST(message("get tcp_info -> unacked 3..1") == "unacked 3..1: LOW..HIGH needs LOW <= HIGH");
  BOOST_TEST(message("get tcp_info -> probes 1 probes 2") == "'probes' is given twice");
  BOOST_TEST(message("get so_error -> state CLOSE") == "only 'get tcp_info' has state and counters to expect");
  BOOST_TEST(message("recv -> eof unacked 0") == "only 'get tcp_info' has state and counters to expect");
  BOOST_TEST(message("get rcvbuf") == "get takes so_error, tcp_info, inq, outq, cm_inq, got 'rcvbuf'");
  // inq and outq: a byte count, as a read's
  const auto inq = parse_peer_step(Side::server, "get inq -> 1000");
  BOOST_TEST((std::get<protocol::Get>(inq.action).item == protocol::Get::Item::inq));
  BOOST_TEST(*inq.expect.bytes == 1000u);
  BOOST_TEST(inq.expect.end == "ok");
  BOOST_TEST((std::get<protocol::Get>(parse_peer_step(Side::client, "get outq -> 0").action).item == protocol::Get::Item::outq));
  BOOST_TEST((std::get<protocol::Get>(parse_peer_step(Side::client, "get cm_inq -> 1").action).item == protocol::Get::Item::cm_inq));
  BOOST_TEST(message("get tcp_info &") == "'get' is immediate: it cannot run in the background");
}

// A wait step is a duration or a barrier on the wire.
BOOST_AUTO_TEST_CASE(wait_steps_are_durations_or_wire_barriers) {
  BOOST_TEST(std::get<WaitStep>(parse_wait_step("50ms")).duration.count() == 50);
  const auto b = std::get<WireWait>(parse_wait_step("s>c . ack 1001 {2} within 1s"));
  BOOST_TEST(b.count == 2u);
  BOOST_TEST(b.within.count() == 1000);
  BOOST_TEST(*b.match.ack == 1001u);
  const auto fin = std::get<WireWait>(parse_wait_step("c>s . ack fin"));
  BOOST_TEST(fin.match.ack_fin);
  BOOST_TEST(fin.within.count() == 5000);
  for (const char* bad : {"s>c . ?", "s>c . {1,3}", "s>c . gap 1s..2s", "s>c Q", "s>c . within soon"})
    BOOST_CHECK_THROW(parse_wait_step(bad), std::invalid_argument);
  BOOST_TEST(!fin.next);
}

// `next` counts packets from the barrier's own step on; `quiet` is a pause that must see no packet.
BOOST_AUTO_TEST_CASE(wait_next_and_quiet) {
  const auto next = std::get<WireWait>(parse_wait_step("next c>s . len 0 {2} within 3s"));
  BOOST_TEST(next.next);
  BOOST_TEST(next.count == 2u);
  BOOST_TEST((*next.match.len == pcap::NumberRange{0, 0}));
  const auto quiet = std::get<WaitStep>(parse_wait_step("quiet s>c 500ms"));
  BOOST_TEST(quiet.duration.count() == 500);
  BOOST_TEST((quiet.quiet && quiet.quiet->dirs == Dirs::s2c));
  BOOST_TEST(!std::get<WaitStep>(parse_wait_step("500ms")).quiet);
  auto message = [](const std::string& text) -> std::string {
    try {
      parse_wait_step(text);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  BOOST_TEST(message("quiet 500ms") == "write 'wait: quiet c>s|s>c|both DURATION'");
  BOOST_TEST(message("quiet up 500ms") == "expected c>s, s>c or both, got 'up'");
  BOOST_TEST(message("quiet both soon").rfind("bad duration 'soon'", 0) == 0);
  BOOST_TEST(message("next 500ms") == "'next' needs a packet pattern after it, e.g. 'next c>s . len 0'");
}

