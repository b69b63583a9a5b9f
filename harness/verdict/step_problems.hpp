// The words for what the runner saw when a step could not do its part
// (model/step_problem.hpp), and those facts on a run-facts record.
#pragma once

#include "scenario.hpp"
#include "step_problem.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace closepath {

// "not run: step 4 (client tls handshake) ended stream_truncated, so the
// client has no TLS session"; "expected the server program to print a line
// matching /ready/ within 2000 ms vs no output". `s` names the earlier steps.
std::string problem_text(const StepProblem& p, const Step& step, const Scenario& s);

nlohmann::json to_json(const StepProblem& p);
// Throws std::invalid_argument naming what is wrong; a bare string (run facts
// before version 5 held the words) is read as a RunnerError.
StepProblem step_problem_of(const nlohmann::json& j);

}  // namespace closepath
