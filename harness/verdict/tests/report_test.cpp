// report.json from a run's record, without running anything: every step
// present whether it ran or not, times in ms since the run began, the
// verdict and the first mismatch, and the run facts a capture carries read
// back as they were written.
#include "report.hpp"
#include "report_html.hpp"
#include "run_facts.hpp"
#include "scenario_parser.hpp"

#include <boost/test/unit_test.hpp>

using namespace closepath;

namespace {

RunResult recorded_run(const Scenario& s) {
  RunResult r;
  r.scenario = &s;
  r.verdict = Verdict::fail;
  r.first_mismatch = "a mismatch";
  r.start_mono_ns = 1'000'000'000;
  r.client_port = 40123;
  r.server_port = s.port;
  for (const auto& step : s.steps) {
    StepResult sr;
    sr.step = &step;
    r.steps.push_back(sr);
  }
  // The first step ran, 2 ms in, for 1.5 ms; the rest never did.
  r.steps[0].outcome = protocol::Outcome{.end = "ok", .start_ns = r.start_mono_ns + 2'000'000, .end_ns = r.start_mono_ns + 3'500'000};
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(report)

BOOST_AUTO_TEST_CASE(report_json_has_every_step_and_times_since_the_start) {
  const auto s = parse_scenario_file(std::string(CLOSEPATH_SCENARIO_DIR) + "/graceful_fin.yaml");
  const auto j = report_json(recorded_run(s));
  BOOST_TEST(j.at("verdict") == "fail");
  BOOST_TEST(j.at("first_mismatch") == "a mismatch");
  BOOST_REQUIRE_EQUAL(j.at("steps").size(), s.steps.size());
  const auto& first = j.at("steps")[0];
  BOOST_TEST(first.at("ran") == true);
  BOOST_TEST(first.at("ok") == true);
  BOOST_TEST(first.at("outcome").at("start_ms").get<double>() == 2.0);
  BOOST_TEST(first.at("outcome").at("end_ms").get<double>() == 3.5);
  BOOST_TEST(!first.at("outcome").contains("start_ns"));
  BOOST_TEST(j.at("steps")[1].at("ran") == false);
  BOOST_TEST(j.at("steps")[1].at("outcome").is_null());
  BOOST_TEST(j.at("client_port") == 40123);
}

BOOST_AUTO_TEST_CASE(run_facts_read_back_as_written) {
  const auto s = parse_scenario_file(std::string(CLOSEPATH_SCENARIO_DIR) + "/graceful_fin.yaml");
  auto r = recorded_run(s);
  SocketEntry left;
  left.state = "TIME_WAIT";
  left.local = "10.0.0.1:40123";
  left.remote = "10.0.0.2:47000";
  r.leftovers[Side::client].push_back(left);
  const auto facts = parse_facts(run_facts(r));
  BOOST_TEST(facts.client_port == 40123);
  BOOST_REQUIRE(facts.steps.has_value());
  BOOST_REQUIRE_EQUAL(facts.steps->size(), s.steps.size());
  BOOST_TEST((*facts.steps)[0].outcome->end == "ok");
  BOOST_TEST(!(*facts.steps)[1].outcome.has_value());
  BOOST_REQUIRE_EQUAL(facts.leftovers.at(Side::client).size(), 1u);
  BOOST_TEST(facts.leftovers.at(Side::client)[0].state == "TIME_WAIT");
}

BOOST_AUTO_TEST_SUITE_END()

// report.html from report.json: every string escaped, nothing outside the file, the mismatch marked in words
// and linked from the top.
BOOST_AUTO_TEST_CASE(report_html_marks_the_mismatch_and_escapes_what_it_shows) {
  BOOST_TEST(html_escape("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  const auto report = nlohmann::json::parse(R"({"scenario": "s<1>", "verdict": "fail", "first_mismatch": "f.yaml:9: frame 2",
    "steps": [{"index": 1, "text": "client connect", "ran": true, "ok": true, "outcome": {"end": "ok", "start_ms": 1.0, "end_ms": 2.0}}],
    "wire": [{"frame": 1, "t_ms": 1.5, "forwarded": true, "injected": false, "comment": "step 1", "tcp": {"dir": "c>s", "flags": "S", "seq": 0, "len": 0}},
             {"frame": 2, "t_ms": 1.7, "forwarded": false, "injected": false, "comment": "lost by impair", "effects": ["dropped"],
              "mismatch": true, "tcp": {"dir": "s>c", "flags": "S.", "seq": 0, "ack": 1, "len": 0}}],
    "states": {"kernel_changes": [{"t_ms": 1.6, "side": "client", "from": "CLOSE", "to": "SYN_SENT"}]}})");
  const auto page = report_html(report);
  BOOST_TEST(page.find("s&lt;1&gt;") != std::string::npos);
  BOOST_TEST(page.find("<g id=\"frame-2\" class=\"mismatch\">") != std::string::npos);
  BOOST_TEST(page.find("href=\"#frame-2\"") != std::string::npos);
  BOOST_TEST(page.find("!! first mismatch") != std::string::npos);
  BOOST_TEST(page.find("X dropped") != std::string::npos);
  BOOST_TEST(page.find("kernel: CLOSE &gt; SYN_SENT") != std::string::npos);
  BOOST_TEST(page.find("default-src 'none'") != std::string::npos);
  BOOST_TEST(page.find("http", page.find("http-equiv") + 1) == std::string::npos);  // no address at all: only the CSP's own word
}
