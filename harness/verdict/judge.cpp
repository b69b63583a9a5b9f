#include "judge.hpp"

#include "matcher.hpp"
#include "states.hpp"

#include <algorithm>

namespace closepath {


namespace {

std::string outcome_text(const std::string& end, std::optional<std::uint64_t> bytes) {
  if (!bytes) return end;
  return end + " (" + std::to_string(*bytes) + " bytes)";
}

std::string where(const Scenario& s, int line) { return s.file.string() + ":" + std::to_string(line) + ": "; }

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
    const auto& [low, high] = range;
    if (it != info.counters.end() && it->second >= low && it->second <= high) continue;
    const std::string want = low == high ? std::to_string(low) : std::to_string(low) + ".." + std::to_string(high);
    wrong += (wrong.empty() ? "" : ", ") + name + " " + want + " vs actual " +
             (it == info.counters.end() ? std::string("none") : std::to_string(it->second));
  }
  if (wrong.empty()) return std::nullopt;
  return "tcp_info: expected " + wrong;
}

std::optional<std::string> compare_outcome(const PeerStep& step, const protocol::Outcome& outcome) {
  const bool end_ok = outcome.end == step.expect.end;
  const bool bytes_ok = !step.expect.bytes || *step.expect.bytes == outcome.bytes;
  if (end_ok && bytes_ok) return compare_tcp_info(step.expect, outcome);
  std::string actual = outcome_text(outcome.end, outcome.bytes);
  if (outcome.deadline) actual += " at its deadline of " + std::to_string(step.within.count()) + " ms";
  if (outcome.error && outcome.end != "eof") actual += ": " + outcome.error->message;
  return "expected " + outcome_text(step.expect.end, step.expect.bytes) + " vs actual " + actual;
}

std::optional<std::string> judge_wire(const Scenario& s, const pcap::Flow& flow, const std::vector<std::int64_t>& anchors,
                                      std::optional<std::size_t>* packet, std::vector<Timing>* timings) {
  std::vector<pcap::PatternElement> patterns;
  for (const auto& p : s.wire) patterns.push_back(p.value);
  std::vector<pcap::Assigned> assignment;
  if (auto m = pcap::match_sequence(patterns, flow.packets, anchors, &assignment)) {
    if (packet) *packet = m->packet;
    const int line = m->pattern ? s.wire[*m->pattern].line : s.wire.back().line;
    return where(s, line) + "wire: " + m->message;
  }
  if (timings) {
    for (const auto& [e, k] : assignment) {
      const auto& pattern = std::get<pcap::PacketRun>(patterns[e]).packet;
      const auto& p = flow.packets[k];
      if (pattern.gap && k > 0)
        timings->push_back({s.wire[e].line, pcap::to_string(patterns[e]), pcap::elapsed_ns(p.mono_ns, flow.packets[k - 1].mono_ns)});
      if (pattern.at && pattern.at->anchor <= anchors.size())
        timings->push_back({s.wire[e].line, pcap::to_string(patterns[e]), pcap::elapsed_ns(p.mono_ns, anchors[pattern.at->anchor - 1])});
    }
  }
  std::vector<pcap::PacketPattern> forbidden;
  for (const auto& f : s.forbid) forbidden.push_back(f.value);
  if (auto m = pcap::match_forbidden(forbidden, flow.packets)) {
    if (packet) *packet = m->packet;
    return where(s, s.forbid[*m->pattern].line) + "wire: " + m->message;
  }
  return std::nullopt;
}

std::optional<std::string> judge_states(const Scenario& s, const std::map<Side, SideStates>& states) {
  for (const auto& [side, st] : states) {
    if (const auto part = where_sources_part(st))
      return where(s, s.states.count(side) ? s.states.at(side).line : 1) + "states: " + to_string(side) +
             " sources disagree: " + *part + ": kernel " + pcap::join_states(*st.kernel) + " vs inferred from the capture " +
             pcap::join_states(st.inferred);
  }
  for (const auto& [side, expected] : s.states) {
    const auto it = states.find(side);
    if (it == states.end()) continue;
    const auto& actual = it->second.kernel ? *it->second.kernel : it->second.inferred;
    if (auto m = pcap::match_states(expected.value, actual))
      return where(s, expected.line) + "states: " + to_string(side) + " (" +
             (it->second.kernel ? "kernel trace" : "inferred from the capture") + "): " + *m;
  }
  return std::nullopt;
}

std::optional<std::string> judge_leftovers(const Scenario& s, const std::map<Side, std::vector<SocketEntry>>& leftovers) {
  auto listed = [](const auto& map, Side side, const std::string& state) {
    const auto it = map.find(side);
    return it != map.end() && std::find(it->second.value.begin(), it->second.value.end(), state) != it->second.value.end();
  };
  for (const auto& [side, sockets] : leftovers) {
    for (const auto& sock : sockets) {
      const bool leak = sock.state == "CLOSE_WAIT" && !listed(s.leftovers, side, "CLOSE_WAIT");
      const bool forbidden = listed(s.forbid_leftovers, side, sock.state);
      if (!leak && !forbidden) continue;
      const int line = forbidden ? s.forbid_leftovers.at(side).line : (s.states.count(side) ? s.states.at(side).line : 1);
      return where(s, line) + "leftovers: the " + to_string(side) + " left a " + sock.state + " socket " + sock.local +
             " -> " + sock.remote + " (recv-q " + std::to_string(sock.recv_q) + ", send-q " + std::to_string(sock.send_q) +
             (leak ? "): the " + to_string(side) + " application never closed it" : "): forbidden by the scenario");
    }
  }
  for (const auto& [side, expected] : s.leftovers) {
    const auto it = leftovers.find(side);
    for (const auto& state : expected.value) {
      const bool present = it != leftovers.end() && std::any_of(it->second.begin(), it->second.end(),
                                                                 [&](const SocketEntry& e) { return e.state == state; });
      if (!present) return where(s, expected.line) + "leftovers: expected a " + to_string(side) + " " + state + " socket, found none";
    }
  }
  return std::nullopt;
}

// "-> END at LOW..HIGH after step N": when the step's outcome came, since step N began.
std::optional<std::string> judge_outcome_time(const StepResult& sr, const std::vector<std::int64_t>& anchors,
                                              std::vector<Timing>& timings) {
  const auto* ps = std::get_if<PeerStep>(&sr.step->what);
  if (!ps || !ps->expect.at || !sr.outcome || !sr.outcome->end_ns) return std::nullopt;
  const auto& at = *ps->expect.at;
  if (at.anchor > anchors.size() || !anchors[at.anchor - 1]) return std::nullopt;
  const auto since = pcap::elapsed_ns(sr.outcome->end_ns, anchors[at.anchor - 1]);
  const std::string expected = "at " + pcap::window_text(at.window) + " after step " + std::to_string(at.anchor);
  timings.push_back({sr.step->line, sr.step->text, since});
  if (pcap::in_window(at.window, since)) return std::nullopt;
  return "expected " + sr.outcome->end + " " + expected + " vs actual at " + pcap::measured_text(since);
}

void judge(RunResult& r) {
  const Scenario& s = *r.scenario;
  std::vector<std::int64_t> anchors;  // each step's start, for "at ... after step N"
  for (const auto& sr : r.steps)
    anchors.push_back(sr.outcome ? sr.outcome->start_ns : 0);
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    const auto& sr = r.steps[i];
    auto mismatch = sr.mismatch;
    if (!mismatch) mismatch = judge_outcome_time(sr, anchors, r.timings);
    if (!mismatch) continue;
    r.verdict = Verdict::fail;
    r.first_mismatch = where(s, sr.step->line) + "step " + std::to_string(i + 1) + " (" + sr.step->text + "): " + *mismatch;
    return;
  }
  for (auto m : {judge_wire(s, r.flow, anchors, &r.mismatch_packet, &r.timings), judge_states(s, r.states),
                 judge_leftovers(s, r.leftovers)}) {
    if (!m) continue;
    r.verdict = Verdict::fail;
    r.first_mismatch = *m;
    return;
  }
  r.verdict = Verdict::pass;
}

}  // namespace closepath
