#include "step_judge.hpp"
#include "step_problems.hpp"

#include "quoted_text.hpp"
#include "runtimes.hpp"

#include "overloaded.hpp"
#include "pattern.hpp"

#include <csignal>
#include <cstring>

namespace closepath {
namespace {

std::string outcome_text(const std::string& end, std::optional<std::uint64_t> bytes) {
  if (!bytes) return end;
  return end + " (" + std::to_string(*bytes) + " bytes)";
}

}  // namespace

// get tcp_info: the expected state and counters against what the kernel gave.
std::optional<std::string> compare_tcp_info(const ExpectedOutcome& expect, const protocol::Outcome& outcome) {
  if (!expect.state && expect.counters.empty()) return std::nullopt;
  if (!outcome.tcp_info) return "expected tcp_info, got none (" + outcome.end + ")";
  const auto& info = *outcome.tcp_info;
  std::string wrong;
  if (expect.state && *expect.state != info.state) wrong += "state " + *expect.state + " vs actual " + info.state;
  for (const auto& [name, range] : expect.counters) {
    const auto it = info.counters.find(name);
    if (it != info.counters.end() && range.contains(it->second)) continue;
    wrong += (wrong.empty() ? "" : ", ") + name + " " + range.text() + " vs actual " +
             (it == info.counters.end() ? std::string("none") : std::to_string(it->second));
  }
  if (wrong.empty()) return std::nullopt;
  return "tcp_info: expected " + wrong;
}

// "-> \"TEXT\"": each text somewhere in the bytes the read took.
std::optional<std::string> compare_texts(const ExpectedOutcome& expect, const protocol::Outcome& outcome) {
  constexpr std::size_t kShown = 200;  // of what was read, in the message
  for (const auto& text : expect.texts) {
    if (outcome.data && outcome.data->find(text) != std::string::npos) continue;
    if (!outcome.data) return "expected the bytes read to hold " + protocol::quote_text(text) + " vs no record of them";
    const auto& d = *outcome.data;
    return "expected the bytes read to hold " + protocol::quote_text(text) + " vs actual " +
           (d.empty() ? std::string("none") : protocol::quote_text(d.substr(0, kShown)) + (d.size() > kShown ? "..." : "")) +
           " (" + std::to_string(d.size()) + " bytes)";
  }
  return std::nullopt;
}

std::optional<std::string> compare_outcome(const PeerStep& step, const protocol::Outcome& outcome) {
  const auto& expect = step.expect_for(outcome.runtime);
  const bool end_ok = outcome.end == expect.end;
  const bool bytes_ok = !expect.bytes || *expect.bytes == outcome.bytes;
  if (end_ok && bytes_ok) {
    if (auto m = compare_texts(expect, outcome)) return m;
    return compare_tcp_info(expect, outcome);
  }
  std::string actual = outcome_text(outcome.end, outcome.bytes);
  if (outcome.deadline) actual += " at its deadline of " + std::to_string(step.within.count()) + " ms";
  if (outcome.said) actual += " (" + outcome.runtime + ": " + outcome.said->text + ")";
  else if (outcome.error && outcome.end != protocol::end::eof) actual += ": " + outcome.error->message;
  // Which runtime disagreed, when the step states another's outcome or the run's peer is not the default.
  const bool name_runtime = !step.runtime_expect.empty() || (!outcome.runtime.empty() && outcome.runtime != protocol::kDefaultRuntime);
  return "expected " + outcome_text(expect.end, expect.bytes) + (name_runtime ? " of the " + outcome.runtime + " peer" : "") +
         " vs actual " + actual;
}

// "-> END at LOW..HIGH after step N": when the step's outcome came, since step N began.
std::optional<std::string> judge_outcome_time(const StepResult& sr, const std::vector<std::int64_t>& anchors,
                                              std::vector<Timing>& timings) {
  std::optional<pcap::AnchoredWindow> window;
  if (const auto* ps = std::get_if<PeerStep>(&sr.step->what)) window = ps->expect.at;
  if (const auto* ps = std::get_if<ProgramStep>(&sr.step->what)) window = ps->at;
  if (!window || !sr.outcome || !sr.outcome->end_ns) return std::nullopt;
  const auto& at = *window;
  if (at.anchor > anchors.size() || !anchors[at.anchor - 1]) return std::nullopt;
  const auto since = pcap::elapsed_ns(sr.outcome->end_ns, anchors[at.anchor - 1]);
  const std::string expected = "at " + pcap::window_text(at.window) + " after step " + std::to_string(at.anchor);
  timings.push_back({sr.step->line, sr.step->text, since});
  if (pcap::in_window(at.window, since)) return std::nullopt;
  std::string what = sr.outcome->end;  // a peer step's end; a program step's event
  if (const auto* ps = std::get_if<ProgramStep>(&sr.step->what))
    what = "the " + to_string(ps->side) + " program's " + (std::holds_alternative<Output>(ps->action) ? "line" : "end");
  return "expected " + what + " " + expected + " vs actual at " + pcap::measured_text(since, &at.window);
}

namespace {

// "dropped %n packet%s" with n = 2: "dropped 2 packets".
std::string counted(std::string text, std::size_t n) {
  if (const auto at = text.find("%n"); at != std::string::npos) text.replace(at, 2, std::to_string(n));
  if (const auto at = text.find("%s"); at != std::string::npos) text.replace(at, 2, n == 1 ? "" : "s");
  return text;
}

}  // namespace

std::string fault_count_text(const WireAction& action, std::size_t touched) {
  return std::visit([&](const auto& a) { return counted(std::decay_t<decltype(a)>::touched, touched); }, action);
}

// A drop, hold or inject that touched fewer packets than it names: "expected to drop 2 packets vs dropped 1".
std::optional<std::string> judge_fault(const StepResult& sr) {
  const auto* ws = std::get_if<WireStep>(&sr.step->what);
  if (!ws || !sr.touched) return std::nullopt;
  return std::visit(
      [&](const auto& a) -> std::optional<std::string> {
        using T = std::decay_t<decltype(a)>;
        const auto named = T::named(a);
        if (*sr.touched >= named) return std::nullopt;
        const auto did = counted(T::touched, *sr.touched);
        return "expected to " + counted(T::wants, named) + " vs " + did.substr(0, did.find(' ')) + " " + std::to_string(*sr.touched);
      },
      ws->action);
}

namespace {

std::optional<std::string> judge_barrier(const WireWait& w, const StepResult& sr) {
  const auto seen = sr.seen.value_or(0);
  if (seen >= w.count) return std::nullopt;
  return "expected " + std::to_string(w.count) + " packet(s) matching '" + pcap::to_string(w.match) + "' on the wire " +
         (w.next ? "after this step began, " : "") + "within " + std::to_string(w.within.count()) + " ms vs actual " +
         std::to_string(seen);
}

// wait: quiet DIRS D: no packet of the connection in those directions while the pause lasted, by the capture's clock.
std::optional<std::string> judge_quiet(const WaitStep& w, const StepResult& sr, const pcap::Flow& flow) {
  if (!w.quiet || !sr.outcome || !sr.outcome->start_ns || !sr.outcome->end_ns) return std::nullopt;
  const auto start = sr.outcome->start_ns, end = sr.outcome->end_ns;
  for (const auto& p : flow.packets) {
    if (p.mono_ns < start || p.mono_ns > end || !pcap::covers(w.quiet->dirs, p.dir)) continue;
    const std::string dirs = w.quiet->dirs == pcap::Dirs::both ? "" : pcap::to_string(w.quiet->dirs) + " ";
    return "expected no " + dirs + "packet for " + std::to_string(w.duration.count()) + " ms vs " + pcap::frame_label(p) +
           " " + pcap::measured_text(pcap::elapsed_ns(p.mono_ns, start)) + " after the step began";
  }
  return std::nullopt;
}

// exit [-> CODE|SIGNAL]: the outcome's end is how the program ended ("exit 3", "signal TERM").
std::optional<std::string> judge_exit(const ProgramStep& ps, const ExitExpect& x, const protocol::Outcome& o) {
  const std::string who = "the " + to_string(ps.side) + " program";
  if (o.end == protocol::end::timeout) return "expected " + who + " to end within " + std::to_string(ps.within.count()) + " ms vs still running";
  std::string wanted;
  if (x.code) wanted = "exit " + std::to_string(*x.code);
  else if (x.signal) wanted = "signal " + std::string(sigabbrev_np(*x.signal) ? sigabbrev_np(*x.signal) : std::to_string(*x.signal));
  if (wanted.empty() || wanted == o.end) return std::nullopt;
  return "expected " + who + " to end with " + x.text + " vs " + o.end;
}

}  // namespace

std::optional<std::string> judge_step(const StepResult& sr, const Scenario& s, const std::vector<std::int64_t>& anchors,
                                      const pcap::Flow& flow, std::vector<Timing>& timings) {
  if (sr.timed_only) return std::nullopt;
  if (sr.problem) return problem_text(*sr.problem, *sr.step, s);  // what only the runner saw: it is the step's outcome
  if (!sr.outcome) return std::nullopt;  // the run ended (in an error) before it
  return std::visit(
      overloaded{[&](const PeerStep& ps) -> std::optional<std::string> {
                   if (sr.outcome->end == protocol::end::pending) return std::nullopt;  // never collected: the run ended first
                   if (auto m = compare_outcome(ps, *sr.outcome)) return m;
                   return judge_outcome_time(sr, anchors, timings);
                 },
                 [&](const WireWait& w) { return judge_barrier(w, sr); },
                 [&](const WireStep&) { return judge_fault(sr); },
                 [&](const WaitStep& w) { return judge_quiet(w, sr, flow); },
                 [&](const ProgramStep& ps) -> std::optional<std::string> {
                   if (const auto* x = std::get_if<ExitExpect>(&ps.action))
                     if (auto m = judge_exit(ps, *x, *sr.outcome)) return m;
                   if (std::holds_alternative<Running>(ps.action) && sr.outcome->end != protocol::end::ok)
                     return "expected the " + to_string(ps.side) + " program to be running vs it had ended (" + sr.outcome->end + ")";
                   return judge_outcome_time(sr, anchors, timings);
                 }},
      sr.step->what);
}

}  // namespace closepath
