#include "judge.hpp"
#include "tcp_states.hpp"

#include "matcher.hpp"
#include "overloaded.hpp"
#include "states.hpp"
#include "step_judge.hpp"

#include <algorithm>
#include <set>

namespace closepath {


namespace {

std::string where(const Scenario& s, int line) { return s.file.string() + ":" + std::to_string(line) + ": "; }

}  // namespace

namespace {

// The timing windows of the packets the patterns took, with what was measured.
void record_timings(const Scenario& s, const std::vector<pcap::PatternElement>& patterns, const pcap::Flow& flow,
                    const std::vector<std::int64_t>& anchors, const std::vector<pcap::Assigned>& assigned,
                    std::vector<Timing>& timings) {
  for (const auto& [e, k] : assigned) {
    const auto& pattern = std::get<pcap::PacketRun>(patterns[e]).packet;
    const auto& p = flow.packets[k];
    if (pattern.gap && k > 0)
      timings.push_back({s.wire[e].line, pcap::to_string(patterns[e]), pcap::elapsed_ns(p.mono_ns, flow.packets[k - 1].mono_ns)});
    if (pattern.at && pattern.at->anchor <= anchors.size())
      timings.push_back({s.wire[e].line, pcap::to_string(patterns[e]), pcap::elapsed_ns(p.mono_ns, anchors[pattern.at->anchor - 1])});
  }
}

// The packet a mismatch blames, when all that failed is the pattern's timing window: a measurement.
std::optional<pcap::Assigned> timing_miss(const std::vector<pcap::PatternElement>& patterns, const pcap::Flow& flow,
                                          const pcap::Mismatch& m) {
  if (!m.pattern || !m.packet || *m.pattern >= patterns.size()) return std::nullopt;
  const auto* run = std::get_if<pcap::PacketRun>(&patterns[*m.pattern]);
  if (!run || (!run->packet.gap && !run->packet.at)) return std::nullopt;
  auto untimed = run->packet;
  untimed.gap.reset();
  untimed.at.reset();
  if (!pcap::packet_matches(untimed, flow.packets[*m.packet])) return std::nullopt;
  return pcap::Assigned{*m.pattern, *m.packet};
}

}  // namespace

std::optional<std::string> judge_wire(const Scenario& s, const pcap::Flow& flow, const std::vector<std::int64_t>& anchors,
                                      std::optional<std::size_t>* packet, std::vector<Timing>* timings) {
  std::vector<pcap::PatternElement> patterns;
  for (const auto& p : s.wire) patterns.push_back(p.value);
  std::vector<pcap::Assigned> assignment;
  if (auto m = pcap::match_sequence(patterns, flow.packets, anchors, &assignment)) {
    if (packet) *packet = m->packet;
    if (timings) {  // a failed run's timings are the ones --repeat most needs
      auto measured = m->assigned;
      if (const auto miss = timing_miss(patterns, flow, *m)) measured.push_back(*miss);
      record_timings(s, patterns, flow, anchors, measured, *timings);
    }
    const int line = m->pattern ? s.wire[*m->pattern].line : s.wire.empty() ? s.wire_line : s.wire.back().line;
    return where(s, line) + "wire: " + m->message;
  }
  if (timings) record_timings(s, patterns, flow, anchors, assignment, *timings);
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
      return where(s, expected.line) + "states: " + to_string(side) + " (" + judged_source(it->second) + "): " + *m;
  }
  return std::nullopt;
}

namespace {

std::string socket_text(const SocketEntry& e) {
  return e.state + " socket " + e.local + " -> " + e.remote + " (recv-q " + std::to_string(e.recv_q) + ", send-q " +
         std::to_string(e.send_q) + (e.timer ? ", timer " + timer_name(e.timer) : "") + (e.orphan ? ", orphan" : "") + ")";
}

const std::vector<LeftoverPattern>* patterns_of(const std::map<Side, Located<std::vector<LeftoverPattern>>>& map, Side side) {
  const auto it = map.find(side);
  return it == map.end() ? nullptr : &it->second.value;
}

bool any_matches(const std::vector<LeftoverPattern>* patterns, const SocketEntry& e) {
  return patterns && std::any_of(patterns->begin(), patterns->end(), [&](const LeftoverPattern& p) { return p.matches(e); });
}

}  // namespace

std::optional<std::string> judge_leftovers(const Scenario& s, const std::map<Side, std::vector<SocketEntry>>& leftovers) {
  for (const auto& [side, sockets] : leftovers) {
    for (const auto& sock : sockets) {
      // A CLOSE_WAIT the scenario expects, though not as it is, is the expectation's to report (below).
      const auto* expected = patterns_of(s.leftovers, side);
      const bool leak = sock.state == name(TcpState::close_wait) &&
                        !(expected && std::any_of(expected->begin(), expected->end(),
                                                  [&](const LeftoverPattern& p) { return p.state == sock.state; }));
      const bool forbidden = any_matches(patterns_of(s.forbid_leftovers, side), sock);
      if (!leak && !forbidden) continue;
      const int line = forbidden ? s.forbid_leftovers.at(side).line : (s.states.count(side) ? s.states.at(side).line : 1);
      return where(s, line) + "leftovers: the " + to_string(side) + " left a " + socket_text(sock) +
             (leak ? ": the " + to_string(side) + " application never closed it" : ": forbidden by the scenario");
    }
  }
  for (const auto& [side, expected] : s.leftovers) {
    const auto it = leftovers.find(side);
    for (const auto& want : expected.value) {
      const std::vector<SocketEntry> none;
      const auto& found = it != leftovers.end() ? it->second : none;
      if (std::any_of(found.begin(), found.end(), [&](const SocketEntry& e) { return want.matches(e); })) continue;
      // The nearest: a socket in that state that differs in what it holds.
      const auto same_state = std::find_if(found.begin(), found.end(), [&](const SocketEntry& e) { return e.state == want.state; });
      if (same_state == found.end())
        return where(s, expected.line) + "leftovers: expected a " + to_string(side) + " " + want.text() + " socket, found none";
      return where(s, expected.line) + "leftovers: expected a " + to_string(side) + " " + want.text() + " socket vs " +
             socket_text(*same_state);
    }
  }
  return std::nullopt;
}

std::optional<std::string> judge_programs(const Scenario& s, const std::vector<ProgramRecord>& programs) {
  const auto expected = [&](Side side) { return s.left_running && s.left_running->value.contains(side); };
  std::set<Side> left;
  for (const auto& p : programs) {
    if (p.left_running == 0) continue;
    left.insert(p.side);
    if (expected(p.side) || p.exec_step >= s.steps.size()) continue;
    const auto& exec = s.steps[p.exec_step];
    return where(s, exec.line) + "step " + std::to_string(p.exec_step + 1) + " (" + exec.text + "): the " + to_string(p.side) +
           "'s program left " + std::to_string(p.left_running) + (p.left_running == 1 ? " process" : " processes") +
           " running after it ended (" + p.ended.value_or("?") + "); closepath ended " + (p.left_running == 1 ? "it" : "them") + " (a daemon? expect it with "
           "'left_running: [" + to_string(p.side) + "]')";
  }
  if (s.left_running)
    for (Side side : s.left_running->value)
      if (!left.contains(side))
        return where(s, s.left_running->line) + "left_running: expected the " + to_string(side) +
               "'s program to leave processes running after it ended vs none";
  return std::nullopt;
}

void judge(RunResult& r) {
  const Scenario& s = *r.scenario;
  std::vector<std::int64_t> anchors;  // each step's start, for "at ... after step N"
  for (const auto& sr : r.steps)
    anchors.push_back(sr.outcome ? sr.outcome->start_ns : 0);
  // Every step's own mismatch goes on the step (report, ladder); the first is the run's.
  bool step_failed = false;
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    auto& sr = r.steps[i];
    sr.mismatch = judge_step(sr, s, anchors, r.flow, r.timings);
    if (!sr.mismatch || step_failed) continue;
    step_failed = true;
    r.verdict = Verdict::fail;
    r.first_mismatch = where(s, sr.step->line) + "step " + std::to_string(i + 1) + " (" + sr.step->text + "): " + *sr.mismatch;
  }
  // The wire is judged on a failed run too: its timings are what --repeat summarises.
  std::optional<std::size_t> blamed;
  const auto wire = judge_wire(s, r.flow, anchors, &blamed, &r.timings);
  if (step_failed) return;
  if (wire) r.mismatch_packet = blamed;
  for (auto m : {wire, judge_states(s, r.states), r.audited ? judge_leftovers(s, r.leftovers) : std::nullopt,
                 r.audited ? judge_programs(s, r.programs) : std::nullopt}) {
    if (!m) continue;
    r.verdict = Verdict::fail;
    r.first_mismatch = *m;
    return;
  }
  r.verdict = Verdict::pass;
}

}  // namespace closepath
