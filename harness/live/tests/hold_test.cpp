// The wire's holds: hold ... until, release, release N, and the queues the wire keeps.
#include "capture_legs.hpp"
#include "held_queues.hpp"
#include "scenario_parser.hpp"
#include "scripted_faults.hpp"

#include <boost/test/unit_test.hpp>

using namespace closepath;

namespace {

using testing::legs_of;
using Action = WireDecision::Action;

}  // namespace

BOOST_AUTO_TEST_SUITE(holds)

// hold ... until ...: the held FIN is released by the other side's FIN.
BOOST_AUTO_TEST_CASE(hold_releases_when_its_trigger_passes) {
  ScriptedFaults faults;
  faults.apply(parse_wire_step("hold c>s +F until s>c +F").action, 0, "hold");
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

// release N lets the N oldest held frames go, marked by its step, and the
// hold goes on holding; release lets every one go and ends the holds.
BOOST_AUTO_TEST_CASE(release_n_leaves_the_hold_in_force) {
  ScriptedFaults faults;
  faults.apply(parse_wire_step("hold s>c .").action, 0, "hold");
  faults.apply(parse_wire_step("release 2").action, 1, "release");
  auto work = faults.take_work();
  BOOST_TEST(work.release_oldest == 2u);
  BOOST_TEST(!work.release_all);
  BOOST_TEST((work.released == FaultMark{FaultMark::Effect::released, 1}));
  const auto frames = legs_of("graceful_fin");
  for (std::size_t i = 0; i < 3; ++i) faults.on_frame(frames[i].first, frames[i].second.bytes);
  BOOST_TEST((faults.on_frame(frames[8].first, frames[8].second.bytes).action == Action::hold));  // s>c .: still held
  faults.apply(parse_wire_step("release").action, 2, "release all");
  work = faults.take_work();
  BOOST_TEST(work.release_all);
  BOOST_TEST((faults.on_frame(frames[8].first, frames[8].second.bytes).action == Action::forward));
}

// The queues the wire keeps: whole queues for until and release; the oldest across queues for release N.
BOOST_AUTO_TEST_CASE(held_queues_give_the_oldest_first) {
  struct Item {
    std::size_t record;
  };
  HeldQueues<Item> held;
  held.hold(1, {3});
  held.hold(0, {5});
  held.hold(1, {7});
  held.hold(0, {8});
  auto records = [](const auto& items) {
    std::vector<std::size_t> r;
    for (const auto& i : items) r.push_back(i.record);
    return r;
  };
  BOOST_TEST(records(held.take_oldest(3)) == (std::vector<std::size_t>{3, 5, 7}));
  BOOST_TEST(held.count() == 1u);
  BOOST_TEST(records(held.take(1)).empty());  // queue 1 ran dry and ended
  BOOST_TEST(records(held.take_oldest(5)) == std::vector<std::size_t>{8});
  BOOST_TEST(held.empty());
}

// A hold set while a delay is on holds the frame; released, it still takes the path's delay.
BOOST_AUTO_TEST_CASE(a_hold_takes_frames_a_delay_would_have) {
  ScriptedFaults faults;
  faults.apply(parse_wire_step("delay both 50ms").action, 3, "delay");
  faults.apply(parse_wire_step("hold c>s +F").action, 4, "hold");
  const auto frames = legs_of("graceful_fin");
  std::vector<WireDecision> d;
  for (const auto& [leg, f] : frames) d.push_back(faults.on_frame(leg, f.bytes));
  BOOST_TEST((d[7].action == Action::hold));  // c>s F.
  BOOST_TEST(d[7].delay.count() == 50'000'000);
  BOOST_TEST((d[7].marks == std::vector<FaultMark>{{FaultMark::Effect::held, 4}, {FaultMark::Effect::delayed, 3}}));
  BOOST_TEST((d[6].action == Action::delay));  // the c>s ACK before it is only delayed
  BOOST_TEST((d[9].action == Action::delay));  // s>c F.: the hold names c>s only
}

BOOST_AUTO_TEST_SUITE_END()
