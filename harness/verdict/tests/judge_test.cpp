#include "capture_reader.hpp"
#include "judge.hpp"
#include "step_judge.hpp"
#include "scenario_parser.hpp"

#include <boost/test/unit_test.hpp>

using namespace closepath;

namespace {

pcap::Flow flow_of(const std::string& name) {
  return pcap::track_flow(pcap::read_capture(std::string(CLOSEPATH_TEST_DATA) + "/" + name + ".pcapng"));
}

Scenario catalogue(const std::string& name) {
  return parse_scenario_file(std::string(CLOSEPATH_SCENARIO_DIR) + "/" + name + ".yaml");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(judge)

// Each committed capture satisfies its own scenario's wire expectations.
BOOST_AUTO_TEST_CASE(judge_accepts_each_scenario_own_capture) {
  for (const auto* name : {"graceful_fin", "half_close", "linger_zero", "rst_on_unread_close", "write_after_peer_close",
                           "connection_refused"}) {
    const auto m = judge_wire(catalogue(name), flow_of(name));
    BOOST_TEST(!m.has_value(), name << ": " << m.value_or(""));
  }
}

// A capture of a different close path fails with file, line and the packet at fault.
BOOST_AUTO_TEST_CASE(judge_rejects_another_close_path) {
  const auto m = judge_wire(catalogue("linger_zero"), flow_of("graceful_fin"));
  BOOST_REQUIRE(m.has_value());
  BOOST_TEST(m->find("linger_zero.yaml:") != std::string::npos, *m);
  BOOST_TEST(m->find("wire: frame 4 (c>s P. seq 1 ack 1 len 100)") != std::string::npos, *m);
  BOOST_TEST(m->find("expected len 1000 vs actual len 100") != std::string::npos, *m);
}

// A forbidden packet is reported by the forbid entry's line.
BOOST_AUTO_TEST_CASE(judge_reports_a_forbidden_packet) {
  auto s = catalogue("graceful_fin");
  s.wire = {{1, pcap::parse_pattern("...")}};
  s.forbid = {{42, pcap::parse_packet_pattern("s>c F.")}};
  const auto m = judge_wire(s, flow_of("graceful_fin"));
  BOOST_REQUIRE(m.has_value());
  BOOST_TEST(m->find("graceful_fin.yaml:42: wire: frame 10 (s>c F. seq 201 ack 102 len 0): matches forbidden") !=
                 std::string::npos, *m);
}

// Outcomes compare by end and, where expected, by bytes.
BOOST_AUTO_TEST_CASE(judge_compares_outcomes) {
  const auto step = parse_peer_step(Side::server, "recv 1000");
  BOOST_TEST(!compare_outcome(step, {.end = "ok", .bytes = 1000}));
  BOOST_TEST(*compare_outcome(step, {.end = "eof", .bytes = 200}) == "expected ok (1000 bytes) vs actual eof (200 bytes)");
  const auto reset = parse_peer_step(Side::server, "recv -> ECONNRESET");
  BOOST_TEST(!compare_outcome(reset, {.end = "ECONNRESET"}));
  BOOST_TEST(*compare_outcome(reset, {.end = "eof"}) == "expected ECONNRESET vs actual eof (0 bytes)");
  protocol::Outcome aborted{.end = "operation_aborted", .bytes = 5, .deadline = true};
  BOOST_TEST(*compare_outcome(reset, aborted) == "expected ECONNRESET vs actual operation_aborted (5 bytes) at its deadline of 5000 ms");
}

// A step judged for a peer of another runtime: by that runtime's line when it has one; a mismatch names the runtime
// and says what the runtime said.
BOOST_AUTO_TEST_CASE(judge_compares_a_runtime_outcome_by_its_own_line) {
  auto step = parse_peer_step(Side::client, "recv within 1s -> operation_aborted");
  step.runtime_expect["go"] = parse_peer_step(Side::client, "recv -> deadline_exceeded").expect;
  protocol::Outcome go{.end = "deadline_exceeded", .deadline = true, .runtime = "go",
                       .said = protocol::RuntimeSaid{"read tcp: i/o timeout", {"os.ErrDeadlineExceeded"}}};
  BOOST_TEST(!compare_outcome(step, go));
  BOOST_TEST(*compare_outcome(step, {.end = "deadline_exceeded", .runtime = "asio"}) ==
             "expected operation_aborted of the asio peer vs actual deadline_exceeded (0 bytes)");
  go.end = "eof";
  go.deadline = false;
  go.said = protocol::RuntimeSaid{"EOF", {"io.EOF"}};
  BOOST_TEST(*compare_outcome(step, go) == "expected deadline_exceeded of the go peer vs actual eof (0 bytes) (go: EOF)");
  // A runtime the step says nothing of is held to the step's own outcome.
  BOOST_TEST(*compare_outcome(step, {.end = "eof", .runtime = "python"}) ==
             "expected operation_aborted of the python peer vs actual eof (0 bytes)");
}

// get tcp_info compares the state and each expected counter against its range.
BOOST_AUTO_TEST_CASE(judge_compares_tcp_info) {
  const auto step = parse_peer_step(Side::client, "get tcp_info -> state FIN_WAIT1 unacked 1 retransmits 2..4");
  const protocol::TcpInfo info{"FIN_WAIT1", {{"unacked", 1}, {"retransmits", 3}, {"probes", 0}}};
  BOOST_TEST(!compare_outcome(step, {.tcp_info = info}));
  auto other = info;
  other.state = "FIN_WAIT2";
  other.counters["retransmits"] = 5;
  BOOST_TEST(*compare_outcome(step, {.tcp_info = other}) ==
             "tcp_info: expected state FIN_WAIT1 vs actual FIN_WAIT2, retransmits 2..4 vs actual 5");
  BOOST_TEST(*compare_outcome(step, {.end = "EBADF"}) == "expected ok vs actual EBADF (0 bytes)");
  BOOST_TEST(*compare_outcome(step, {}) == "expected tcp_info, got none (ok)");
}

// "-> END at LOW..HIGH after step N": when the outcome came, since step N began.
BOOST_AUTO_TEST_CASE(judge_times_an_outcome_from_its_anchor) {
  auto s = catalogue("graceful_fin");
  s.wire = {{1, pcap::parse_pattern("...")}};
  s.states.clear();
  s.leftovers.clear();
  s.forbid_leftovers.clear();
  s.steps = {Step{.line = 7, .text = "client connect", .what = parse_peer_step(Side::client, "connect")},
             Step{.line = 8, .text = "client recv", .what = parse_peer_step(Side::client, "recv -> ETIMEDOUT at 2.5s..3.5s after step 1")}};
  RunResult r;
  r.scenario = &s;
  auto run = [&](std::int64_t ends_after_ns) {
    r.steps.assign(2, StepResult{});
    r.steps[0].step = &s.steps[0];
    r.steps[0].outcome = protocol::Outcome{.end = "ok", .start_ns = 1'000'000'000, .end_ns = 1'001'000'000};
    r.steps[1].step = &s.steps[1];
    r.steps[1].outcome = protocol::Outcome{.end = "ETIMEDOUT", .start_ns = 1'002'000'000, .end_ns = 1'000'000'000 + ends_after_ns};
    r.timings.clear();
    r.first_mismatch.clear();
    closepath::judge(r);
  };
  run(3'000'000'000);
  BOOST_TEST(r.first_mismatch == "");
  BOOST_TEST((r.verdict == Verdict::pass));
  BOOST_REQUIRE_EQUAL(r.timings.size(), 1u);
  BOOST_TEST(r.timings[0].measured_ns == 3'000'000'000);
  run(4'000'000'000);
  BOOST_TEST((r.verdict == Verdict::fail));
  BOOST_TEST(r.first_mismatch.find(":8: step 2 (client recv): expected ETIMEDOUT at 2500ms..3500ms after step 1 vs actual at 4.000s") !=
                 std::string::npos, r.first_mismatch);
}

// "wait: quiet DIRS D" is judged on the capture: a packet in those directions while it paused fails it, by frame.
BOOST_AUTO_TEST_CASE(judge_quiet_names_the_packet_that_came) {
  auto s = catalogue("graceful_fin");
  const auto flow = flow_of("graceful_fin");
  const Step quiet{.line = 9, .text = "wait quiet s>c 500ms", .what = std::get<WaitStep>(parse_wait_step("quiet s>c 500ms"))};
  StepResult sr;
  sr.step = &quiet;
  std::vector<Timing> timings;
  const auto& fin = flow.packets.at(9);  // s>c F.
  BOOST_REQUIRE(fin.dir == pcap::Dir::s2c);
  sr.outcome = protocol::Outcome{.end = "ok", .start_ns = fin.mono_ns - 100'000, .end_ns = fin.mono_ns + 499'000'000};
  const auto m = judge_step(sr, s, {}, flow, timings);
  BOOST_REQUIRE(m.has_value());
  BOOST_TEST(*m == "expected no s>c packet for 500 ms vs frame 10 (s>c F. seq 201 ack 102 len 0) 100us after the step began");
  // after every packet: quiet
  sr.outcome = protocol::Outcome{.end = "ok", .start_ns = flow.packets.back().mono_ns + 1, .end_ns = flow.packets.back().mono_ns + 500'000'000};
  BOOST_TEST(!judge_step(sr, s, {}, flow, timings));
  // the other direction only: c>s's last ACK comes after the FIN
  const Step other{.line = 9, .text = "wait quiet c>s 500ms", .what = std::get<WaitStep>(parse_wait_step("quiet c>s 500ms"))};
  sr.step = &other;
  sr.outcome = protocol::Outcome{.end = "ok", .start_ns = fin.mono_ns - 1'000'000, .end_ns = fin.mono_ns};
  BOOST_TEST(!judge_step(sr, s, {}, flow, timings));
}

BOOST_AUTO_TEST_SUITE_END()
