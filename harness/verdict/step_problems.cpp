#include "step_problems.hpp"

#include "overloaded.hpp"

#include <array>
#include <stdexcept>

namespace closepath {
namespace {

constexpr std::array<const char*, 5> kWhyNames{"peer_crashed", "no_tls_session", "nothing_to_await", "program_not_started",
                                               "no_program"};

Side side_of(const Step& step) {
  if (const auto* p = std::get_if<PeerStep>(&step.what)) return p->side;
  if (const auto* p = std::get_if<ProgramStep>(&step.what)) return p->side;
  return Side::client;  // (no other step can be made impossible)
}

std::chrono::milliseconds within_of(const Step& step) {
  const auto* p = std::get_if<ProgramStep>(&step.what);
  return p ? p->within : std::chrono::milliseconds(0);
}

std::string earlier(const Scenario& s, std::size_t by_step) {
  const auto text = by_step >= 1 && by_step <= s.steps.size() ? " (" + s.steps[by_step - 1].text + ")" : std::string();
  return "step " + std::to_string(by_step) + text;
}

std::string not_run_text(const NotRun& n, const Step& step, const Scenario& s) {
  const auto side = to_string(side_of(step));
  switch (n.why) {
    case NotRun::Why::peer_crashed: return "not run: step " + std::to_string(n.by_step) + " crashed the " + side + "'s peer";
    case NotRun::Why::no_tls_session:
      return "not run: " + earlier(s, n.by_step) + " ended " + n.ended + ", so the " + side + " has no TLS session";
    case NotRun::Why::nothing_to_await:
      return "not run: no " + side + " step runs in the background to await (the one before it did not run)";
    case NotRun::Why::program_not_started: return "not run: " + earlier(s, n.by_step) + " could not start the " + side + " program";
    case NotRun::Why::no_program: return "not run: no exec step started the " + side + " program";
  }
  return "not run";
}

std::string ended_note(const std::optional<std::string>& ended) {
  return ended ? " (the program ended: " + *ended + ")" : "";
}

std::string listener_text(const NoListener& n, const Step& step) {
  const auto family = [](bool v4) { return std::string(v4 ? "IPv4" : "IPv6"); };
  const bool v4 = n.family == Family::ipv4;
  return "expected a socket listening on port " + std::to_string(n.port) + " for " + family(v4) + " in the " +
         to_string(side_of(step)) + "'s namespace within " + std::to_string(within_of(step).count()) + " ms vs " +
         (n.other_family ? "one on " + *n.other_family + ", which takes " + family(!v4) + " only" : std::string("none")) +
         ended_note(n.program_ended);
}

std::string line_text(const NoLine& n, const Step& step) {
  const auto* ps = std::get_if<ProgramStep>(&step.what);
  const auto* o = ps ? std::get_if<Output>(&ps->action) : nullptr;
  const std::string who = "the " + to_string(side_of(step)) + " program";
  const std::string wanted = "expected " + who + " to print a line matching /" + (o ? o->pattern : std::string()) + "/";
  const std::string last = n.last_line ? "its last line '" + *n.last_line + "'" : "no output";
  if (n.program_ended)  // it ended, and its output with it: no sense waiting on
    return wanted + " vs the program ended (" + *n.program_ended + ") before printing one, " + last;
  return wanted + " within " + std::to_string(within_of(step).count()) + " ms vs " + last;
}

std::optional<std::string> optional_text(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  if (!j.at(key).is_string()) throw std::invalid_argument(std::string("problem.") + key + " is not text");
  return j.at(key).get<std::string>();
}

}  // namespace

std::string problem_text(const StepProblem& p, const Step& step, const Scenario& s) {
  return std::visit(overloaded{[&](const NotRun& n) { return not_run_text(n, step, s); },
                               [&](const NoListener& n) { return listener_text(n, step); },
                               [&](const NoLine& n) { return line_text(n, step); },
                               [&](const RunnerError& e) { return e.text; }},
                    p);
}

nlohmann::json to_json(const StepProblem& p) {
  using nlohmann::json;
  const auto maybe = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  return std::visit(
      overloaded{[](const NotRun& n) -> json {
                   return {{"not_run", kWhyNames[static_cast<std::size_t>(n.why)]}, {"by_step", n.by_step}, {"ended", n.ended}};
                 },
                 [&](const NoListener& n) -> json {
                   return {{"no_listener", n.port}, {"family", n.family == Family::ipv4 ? 4 : 6},
                           {"other_family", maybe(n.other_family)}, {"program_ended", maybe(n.program_ended)}};
                 },
                 [&](const NoLine& n) -> json {
                   return {{"no_line", true}, {"last_line", maybe(n.last_line)}, {"program_ended", maybe(n.program_ended)}};
                 },
                 [](const RunnerError& e) -> json { return {{"runner_error", e.text}}; }},
      p);
}

StepProblem step_problem_of(const nlohmann::json& j) {
  if (j.is_string()) return RunnerError{j.get<std::string>()};
  if (!j.is_object()) throw std::invalid_argument("problem is neither text nor an object");
  try {
    if (j.contains("runner_error")) return RunnerError{j.at("runner_error").get<std::string>()};
    if (j.contains("no_line")) return NoLine{optional_text(j, "last_line"), optional_text(j, "program_ended")};
    if (j.contains("no_listener")) {
      const int family = j.at("family").get<int>();
      if (family != 4 && family != 6) throw std::invalid_argument("problem.family is neither 4 nor 6");
      return NoListener{j.at("no_listener").get<int>(), family == 4 ? Family::ipv4 : Family::ipv6,
                        optional_text(j, "other_family"), optional_text(j, "program_ended")};
    }
    if (j.contains("not_run")) {
      const auto why = j.at("not_run").get<std::string>();
      for (std::size_t i = 0; i < kWhyNames.size(); ++i)
        if (why == kWhyNames[i])
          return NotRun{static_cast<NotRun::Why>(i), j.at("by_step").get<std::size_t>(), j.value("ended", std::string())};
      throw std::invalid_argument("problem.not_run names no reason: '" + why + "'");
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("problem: ") + e.what());
  }
  throw std::invalid_argument("problem names no kind (not_run, no_listener, no_line, runner_error)");
}

}  // namespace closepath
