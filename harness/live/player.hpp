// Plays a scenario's timeline on a live run: one method per kind of step,
// chosen by an exhaustive visit. Each step's record (outcome, packets seen,
// what only the runner could observe) goes into the RunResult; the verdict
// on it is the judge's (verdict/step_judge.hpp), never composed here.
#pragma once

#include "live_run.hpp"
#include "program_steps.hpp"
#include "step_preconditions.hpp"

#include <chrono>
#include <deque>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace closepath {

// Beyond a step's own deadline, how long the runner waits for its answer.
// The peer answers at its deadline itself; this only catches a peer that
// hangs (a bug), so it is generous: a qemu guest on a busy host stalls for
// seconds (seen: a 6.1 guest under TCG missed a 2 s grace).
inline constexpr std::chrono::milliseconds kAnswerGrace{10000};

class Player {
 public:
  Player(const Scenario& s, LiveRun& live, RunResult& r) : s_(s), live_(live), r_(r), programs_(s, live, r) {}
  void play();

 private:
  void prepare();
  StepResult& result() { return r_.steps[i_]; }
  void pause(const WaitStep& wait);
  void barrier(const WireWait& barrier);
  void fault(const WireStep& ws);
  void peer(const PeerStep& ps);
  void peer_command(const PeerStep& ps);
  void destroy(const PeerStep& ps, std::int64_t start);
  // Collects the oldest background step of `side`; returns its index.
  std::size_t collect(Side side);
  // The side's sockets just after its close, read on a thread of its own so
  // that the next step starts at once (a sock_diag dump walks the kernel's
  // whole TCP table: ~1 ms a family); taken when the side closes again or
  // the timeline ends.
  void audit_after_close(Side side);
  void take_audit_after_close(Side side);

  const Scenario& s_;
  LiveRun& live_;
  RunResult& r_;
  std::map<Side, std::deque<std::pair<std::size_t, int>>> pending_;  // background steps: (step index, command id)
  StepPreconditions preconditions_;  // what earlier steps made impossible
  ProgramSteps programs_;
  std::size_t i_ = 0;
  std::string where_;
  std::map<Side, std::future<std::vector<SocketEntry>>> after_close_;
};

}  // namespace closepath
