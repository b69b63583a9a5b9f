// What earlier steps made impossible for later ones, the runner's rules for
// "not run": a crashed peer runs nothing more, close_notify needs a TLS
// session, await needs a step in the background. Kept apart from the live
// run (player.cpp) so that the rules are tested without one.
#pragma once

#include "run_result.hpp"

#include <map>
#include <optional>

namespace closepath {

class StepPreconditions {
 public:
  // Why peer step `ps` cannot run, given every step's record so far and
  // whether its side has a step in the background to await.
  std::optional<NotRun> blocks(const PeerStep& ps, const std::vector<StepResult>& results, bool has_background) const;
  // Step `index` (0-based), `ps`, has been carried out (or sent, in the background).
  void ran(std::size_t index, const PeerStep& ps);

 private:
  std::map<Side, std::size_t> crashed_by_;     // the step that crashed each side's peer
  std::map<Side, std::size_t> tls_handshake_;  // each side's latest TLS handshake step
};

}  // namespace closepath
