// What the runner saw when a step could not do its part: facts, worded here
// only, and carried by run facts unchanged (so `check` of a capture words
// them as the live run did).
#include "scenario_parser.hpp"
#include "step_problems.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>

using namespace closepath;

namespace {

Scenario program_scenario() {
  const auto path = std::filesystem::temp_directory_path() / "step_problems_test.yaml";
  std::ofstream(path) << "name: programs\nsteps:\n"
                         "  - server: exec python3 -c pass\n"
                         "  - server: ready within 2s\n"
                         "  - server: output listening within 1s\n"
                         "  - client: tls handshake\n"
                         "  - client: tls close_notify\n"
                         "expect:\n  wire: [...]\n";
  auto s = parse_scenario_file(path);
  std::filesystem::remove(path);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(step_problems)

BOOST_AUTO_TEST_CASE(each_problem_is_worded_from_its_facts_and_its_step) {
  const auto s = program_scenario();
  BOOST_TEST(problem_text(NoListener{47000, Family::ipv6, "0.0.0.0:47000", std::nullopt}, s.steps[1], s) ==
             "expected a socket listening on port 47000 for IPv6 in the server's namespace within 2000 ms vs one on "
             "0.0.0.0:47000, which takes IPv4 only");
  BOOST_TEST(problem_text(NoListener{47000, Family::ipv4, std::nullopt, "exit 1"}, s.steps[1], s) ==
             "expected a socket listening on port 47000 for IPv4 in the server's namespace within 2000 ms vs none "
             "(the program ended: exit 1)");
  BOOST_TEST(problem_text(NoLine{std::nullopt, std::nullopt}, s.steps[2], s) ==
             "expected the server program to print a line matching /listening/ within 1000 ms vs no output");
  BOOST_TEST(problem_text(NoLine{"bye", "signal TERM"}, s.steps[2], s) ==
             "expected the server program to print a line matching /listening/ vs the program ended (signal TERM) "
             "before printing one, its last line 'bye'");
  BOOST_TEST(problem_text(NotRun{NotRun::Why::no_tls_session, 4, "stream_truncated"}, s.steps[4], s) ==
             "not run: step 4 (client tls handshake) ended stream_truncated, so the client has no TLS session");
  BOOST_TEST(problem_text(NotRun{NotRun::Why::program_not_started, 1, ""}, s.steps[2], s) ==
             "not run: step 1 (server exec python3 -c pass) could not start the server program");
  BOOST_TEST(problem_text(RunnerError{"no connection on the wire yet"}, s.steps[0], s) == "no connection on the wire yet");
}

BOOST_AUTO_TEST_CASE(problems_survive_run_facts_unchanged) {
  const std::vector<StepProblem> all{NotRun{NotRun::Why::peer_crashed, 3, ""}, NotRun{NotRun::Why::nothing_to_await, 0, ""},
                                     NoListener{1, Family::ipv4, "[::]:1", "exit 0"}, NoLine{"x", std::nullopt},
                                     RunnerError{"could not destroy"}};
  for (const auto& p : all) BOOST_TEST((step_problem_of(nlohmann::json::parse(to_json(p).dump())) == p));
  // Run facts before version 5 held the words themselves.
  BOOST_TEST((step_problem_of("not run: old words") == StepProblem{RunnerError{"not run: old words"}}));
  BOOST_CHECK_THROW(step_problem_of(nlohmann::json{{"not_run", "tired"}, {"by_step", 1}}), std::invalid_argument);
  BOOST_CHECK_THROW(step_problem_of(nlohmann::json{{"no_listener", 1}, {"family", 5}}), std::invalid_argument);
  BOOST_CHECK_THROW(step_problem_of(nlohmann::json{{"no_listener", "x"}, {"family", 4}}), std::invalid_argument);
  BOOST_CHECK_THROW(step_problem_of(nlohmann::json::array()), std::invalid_argument);
  BOOST_CHECK_THROW(step_problem_of(nlohmann::json{{"other", 1}}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
