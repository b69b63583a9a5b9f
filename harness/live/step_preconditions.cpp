#include "step_preconditions.hpp"

namespace closepath {

std::optional<NotRun> StepPreconditions::blocks(const PeerStep& ps, const std::vector<StepResult>& results,
                                                bool has_background) const {
  if (const auto it = crashed_by_.find(ps.side); it != crashed_by_.end())
    return NotRun{.why = NotRun::Why::peer_crashed, .by_step = it->second + 1, .ended = {}};
  if (std::holds_alternative<TlsCloseNotify>(ps.action))
    if (const auto it = tls_handshake_.find(ps.side); it != tls_handshake_.end() && it->second < results.size()) {
      const auto& handshake = results[it->second].outcome;
      if (handshake && handshake->end != protocol::end::ok && handshake->end != protocol::end::pending)
        return NotRun{.why = NotRun::Why::no_tls_session, .by_step = it->second + 1, .ended = handshake->end};
    }
  if (std::holds_alternative<Await>(ps.action) && !has_background)
    return NotRun{.why = NotRun::Why::nothing_to_await, .by_step = 0, .ended = {}};
  return std::nullopt;
}

void StepPreconditions::ran(std::size_t index, const PeerStep& ps) {
  if (std::holds_alternative<Crash>(ps.action)) crashed_by_[ps.side] = index;
  if (std::holds_alternative<TlsHandshake>(ps.action)) tls_handshake_[ps.side] = index;
}

}  // namespace closepath
