// The runner's "not run" rules, without a live run: what an earlier step
// makes impossible for a later one, side by side.
#include "scenario_parser.hpp"
#include "step_preconditions.hpp"

#include <boost/test/unit_test.hpp>

using namespace closepath;

namespace {

// A timeline of peer steps, each with the outcome it ended with (nullopt: not yet).
struct Timeline {
  std::vector<PeerStep> steps;
  std::vector<StepResult> results;
  StepPreconditions rules;
  // Whether `text` on `side` may run now; runs it (with `ended`) when it may.
  std::optional<NotRun> next(Side side, const std::string& text, std::optional<std::string> ended = "ok",
                             bool background = false) {
    steps.push_back(parse_peer_step(side, text));
    results.emplace_back();
    auto blocked = rules.blocks(steps.back(), results, background);
    if (blocked) return blocked;
    rules.ran(steps.size() - 1, steps.back());
    if (ended) results.back().outcome = protocol::Outcome{.end = *ended};
    return std::nullopt;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(step_preconditions)

BOOST_AUTO_TEST_CASE(a_crashed_peer_runs_nothing_more_and_the_other_side_goes_on) {
  Timeline t;
  BOOST_TEST(!t.next(Side::server, "listen"));
  BOOST_TEST(!t.next(Side::server, "crash", "killed"));
  const auto after = t.next(Side::server, "recv");
  BOOST_REQUIRE(after);
  BOOST_TEST((after->why == NotRun::Why::peer_crashed));
  BOOST_TEST(after->by_step == 2u);
  BOOST_TEST(!t.next(Side::client, "connect -> ECONNREFUSED", "ECONNREFUSED"));
}

BOOST_AUTO_TEST_CASE(close_notify_needs_a_session_from_the_latest_handshake) {
  Timeline t;
  BOOST_TEST(!t.next(Side::client, "tls handshake -> operation_aborted", "operation_aborted"));
  const auto blocked = t.next(Side::client, "tls close_notify");
  BOOST_REQUIRE(blocked);
  BOOST_TEST((blocked->why == NotRun::Why::no_tls_session));
  BOOST_TEST(blocked->by_step == 1u);
  BOOST_TEST(blocked->ended == "operation_aborted");
  BOOST_TEST(!t.next(Side::server, "tls close_notify"));  // the other side had no handshake: it answers for itself
  BOOST_TEST(!t.next(Side::client, "tls handshake"));     // a later handshake that succeeded gives a session
  BOOST_TEST(!t.next(Side::client, "tls close_notify"));
  // One still in the background is not known to have failed: close_notify runs and meets what it did.
  BOOST_TEST(!t.next(Side::client, "tls handshake &", "pending"));
  BOOST_TEST(!t.next(Side::client, "tls close_notify"));
}

BOOST_AUTO_TEST_CASE(await_needs_a_step_in_the_background) {
  Timeline t;
  const auto nothing = t.next(Side::client, "await", "ok", false);
  BOOST_REQUIRE(nothing);
  BOOST_TEST((nothing->why == NotRun::Why::nothing_to_await));
  BOOST_TEST(!t.next(Side::client, "await", "ok", true));
}

BOOST_AUTO_TEST_SUITE_END()
