// A `run -j` lane: a child closepath process that runs the scenarios its
// parent hands it, one after another, so its runs share what serial runs
// share (the process's trace instance, the rig built ahead, teardown off
// the run's clock). The parent writes each assignment on a pipe as three
// NUL-terminated fields: the scenario file, the run's directory, and "more"
// or "last" (whether another is likely to follow: then the next rig is built
// ahead). After each report is written the lane writes one byte on its done
// descriptor. End of file on the pipe: it drains and returns.
#pragma once

#include "runner.hpp"

#include <ostream>

namespace closepath {

struct Session;

// Throws Interrupted. A scenario file that no longer parses (the parent
// validated it) ends the lane with ScenarioError: the parent reports the run.
void run_lane(Session& session, int assignments_fd, int done_fd, const RunOptions& options, std::ostream& human);

}  // namespace closepath
