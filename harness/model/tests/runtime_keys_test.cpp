// A scenario's words about peer runtimes: `peer:`, `differs:` and a
// runtime's outcome beside a step (protocol/runtimes.hpp).
#include "scenario_parser.hpp"

#include <boost/test/unit_test.hpp>

using namespace closepath;

namespace {

const std::string kBase = R"(name: sample
PEER
steps:
  - server: listen
  - client: connect
  - server: accept
  - client: recv within 1s -> operation_aborted
BESIDE
  - client: close
expect:
  wire: [c>s S]
)";

Scenario parsed(const std::string& peer, const std::string& beside) {
  std::string text = kBase;
  text.replace(text.find("PEER"), 4, peer);
  text.replace(text.find("BESIDE"), 6, beside);
  return parse_scenario_text(text, "t.yaml");
}

std::string error_of(const std::string& peer, const std::string& beside) {
  try {
    parsed(peer, beside);
    return "";
  } catch (const ScenarioError& e) {
    return e.what();
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(runtime_keys)

BOOST_AUTO_TEST_CASE(peer_pins_a_runtime_for_both_sides_or_each) {
  BOOST_TEST(parsed("peer: go", "").peers.at(Side::server) == "go");
  BOOST_TEST(parsed("peer: go", "").peers.at(Side::client) == "go");
  const auto one = parsed("peer: {client: python}", "");
  BOOST_TEST(one.peers.at(Side::client) == "python");
  BOOST_TEST(!one.peers.contains(Side::server));
  BOOST_TEST(error_of("peer: rust", "").rfind("t.yaml:2: 'rust' is not a runtime (known: asio, go, python, asyncio)", 0) == 0);
  BOOST_TEST(error_of("peer: {proxy: go}", "").rfind("t.yaml:2: unknown peer 'proxy' (expected client or server)", 0) == 0);
}

BOOST_AUTO_TEST_CASE(a_runtime_outcome_beside_a_step_replaces_its_outcome_for_that_runtime) {
  const auto s = parsed("", "    go: deadline_exceeded\n    python: 0 deadline_exceeded");
  const auto& step = std::get<PeerStep>(s.steps[3].what);
  BOOST_TEST(step.expect_for("asio").end == "operation_aborted");
  BOOST_TEST(step.expect_for("go").end == "deadline_exceeded");
  BOOST_TEST(*step.expect_for("python").bytes == 0u);
}

BOOST_AUTO_TEST_CASE(a_runtime_outcome_is_refused_where_it_cannot_mean_anything) {
  BOOST_TEST(error_of("", "    rust: eof").rfind("t.yaml:8: 'rust' beside a step names a runtime (asio, go, python, asyncio)", 0) == 0,
             error_of("", "    rust: eof"));
  BOOST_TEST(error_of("", "    go: sideways").rfind("t.yaml:8: unknown outcome 'sideways'", 0) == 0, error_of("", "    go: sideways"));
  BOOST_TEST(error_of("", "    go: eof at 1s..2s after step 1").find("takes no time window") != std::string::npos);
  BOOST_TEST(error_of("", "    server: close").rfind("t.yaml:8: a step is one 'client: ACTION'", 0) == 0);
  BOOST_TEST(error_of("", "    server: close").find("'server' is another step") != std::string::npos);
  // The step must state an outcome for a runtime's to replace.
  std::string text = kBase;
  text.replace(text.find("PEER"), 4, "");
  text.replace(text.find("BESIDE"), 6, "  - client: send 1\n    go: EPIPE");
  try {
    parse_scenario_text(text, "t.yaml");
    BOOST_FAIL("accepted");
  } catch (const ScenarioError& e) {
    BOOST_TEST(std::string(e.what()).find("give the step one ('-> ...') first") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(differs_names_runtimes_and_why) {
  const auto s = parsed("differs:\n  python: \"close() does not abort connect()\"", "");
  BOOST_TEST(s.differs.at("python") == "close() does not abort connect()");
  BOOST_TEST(error_of("differs:\n  cobol: why", "").rfind("t.yaml:3: 'cobol' is not a runtime", 0) == 0,
             error_of("differs:\n  cobol: why", ""));
  BOOST_TEST(error_of("differs: [python]", "").rfind("t.yaml:2: differs maps a runtime", 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
