// report.json: a run as data (docs/outputs.md). Times are ms since the run
// began; packet numbers are the capture's frame numbers (Wireshark's "No.").
#include "report.hpp"

#include "hosts.hpp"
#include "quoted_text.hpp"

namespace closepath {
namespace {

using nlohmann::json;

double ms_since(const RunResult& r, std::int64_t mono_ns) {
  return static_cast<double>(pcap::elapsed_ns(mono_ns, r.start_mono_ns)) / 1e6;
}

// How a step ended; null for a step the run never reached (it ended in an error first).
json outcome_json(const RunResult& r, const StepResult& sr) {
  if (!sr.outcome) return nullptr;
  json o = protocol::to_json(*sr.outcome);
  if (sr.outcome->start_ns) o["start_ms"] = ms_since(r, sr.outcome->start_ns);
  if (sr.outcome->end_ns) o["end_ms"] = ms_since(r, sr.outcome->end_ns);
  o.erase("start_ns");
  o.erase("end_ns");
  if (sr.seen) o["seen"] = *sr.seen;
  if (sr.touched) o["touched"] = *sr.touched;
  if (sr.awaited_step) o["awaited_step"] = *sr.awaited_step;
  if (sr.outcome->data) {  // what the read took, as a scenario would write it (the bytes themselves: run facts)
    o.erase("hex");
    o["received"] = protocol::quote_text(*sr.outcome->data);
  }
  return o;
}

json steps_json(const RunResult& r) {
  json steps = json::array();
  for (std::size_t i = 0; i < r.steps.size(); ++i) {
    const auto& sr = r.steps[i];
    const bool ran = sr.outcome.has_value();
    json step{{"index", i + 1}, {"line", sr.step->line}, {"text", sr.step->text}, {"outcome", outcome_json(r, sr)},
              {"ran", ran}, {"ok", ran && !sr.mismatch.has_value()}};
    if (const auto* ps = std::get_if<PeerStep>(&sr.step->what)) {
      step["side"] = to_string(ps->side);
      const auto& expect = ps->expect_for(r.runtime(ps->side));
      step["expect"] = {{"end", expect.end}};
      if (expect.bytes) step["expect"]["bytes"] = *expect.bytes;
      if (expect.state) step["expect"]["tcp_info"]["state"] = *expect.state;
      for (const auto& [name, range] : expect.counters) step["expect"]["tcp_info"][name] = {range.low, range.high};
      for (const auto& text : expect.texts) step["expect"]["texts"].push_back(protocol::quote_text(text));
    }
    if (sr.mismatch) step["mismatch"] = *sr.mismatch;
    steps.push_back(step);
  }
  return steps;
}

json wire_json(const RunResult& r) {
  json wire = json::array();
  std::vector<const pcap::FlowPacket*> by_frame(r.frames.size(), nullptr);
  for (const auto& p : r.flow.packets) by_frame[p.frame] = &p;
  for (std::size_t i = 0; i < r.frames.size(); ++i) {
    const auto& f = r.frames[i];
    json row{{"frame", i + 1}, {"t_ms", ms_since(r, f.mono_ns)}, {"leg", f.frame.interface == 0 ? "client" : "server"},
             {"bytes", f.frame.bytes.size()}, {"forwarded", f.forwarded}, {"injected", f.injected},
             {"comment", frame_comment(r, i)}};
    json effects = json::array();
    for (const auto& m : f.marks)
      if (std::find(effects.begin(), effects.end(), pcap::name(m.effect)) == effects.end()) effects.push_back(pcap::name(m.effect));
    if (!effects.empty()) row["effects"] = effects;
    json inferred = json::array();  // the state changes this frame caused, as inferred from the capture
    for (const auto& [side, changes] : {std::pair{"client", &r.inferred.client}, std::pair{"server", &r.inferred.server}})
      for (const auto& change : *changes)
        if (r.flow.packets[change.packet].frame == i) inferred.push_back({{"side", side}, {"state", state_text(change.state)}});
    if (!inferred.empty()) row["inferred"] = inferred;
    if (r.mismatch_packet && r.flow.packets[*r.mismatch_packet].frame == i) row["mismatch"] = true;
    if (const auto* p = by_frame[i]) {
      row["tcp"] = {{"dir", pcap::to_string(p->dir)}, {"flags", pcap::flag_letters(p->flags)}, {"seq", p->seq},
                    {"len", p->len}, {"win", p->window}, {"checksum_ok", p->checksum_ok}};
      if (p->flags & pcap::kAck) row["tcp"]["ack"] = p->ack;
    }
    wire.push_back(row);
  }
  return wire;
}

// Each side's state changes as the kernel traced them, with their times (the socket found by the run's client port).
json kernel_changes_json(const RunResult& r) {
  json changes = json::array();
  if (!r.trace) return changes;
  for (const auto& e : *r.trace) {
    const bool client = e.sport == r.client_port, server = e.dport == r.client_port;
    if (e.event != "inet_sock_set_state" || client == server) continue;
    changes.push_back({{"t_ms", ms_since(r, e.mono_ns)}, {"side", client ? "client" : "server"}, {"from", e.oldstate}, {"to", e.newstate}});
  }
  return changes;
}

json states_json(const RunResult& r) {
  json states = json::object();
  for (const auto& [side, st] : r.states) {
    json j{{"inferred", st.inferred}, {"resets", st.resets}};
    j["kernel"] = st.kernel ? json(*st.kernel) : json(nullptr);
    if (st.kernel) j["kernel_from"] = st.kernel_from;
    j["judged_by"] = st.kernel ? "kernel" : "capture";
    j["agree"] = !st.kernel || *st.kernel == st.inferred;
    if (!st.note.empty()) j["note"] = st.note;
    if (!st.inferred_note.empty()) j["inferred_note"] = st.inferred_note;
    states[to_string(side)] = j;
  }
  if (!r.trace) states["kernel_unavailable"] = r.trace_unavailable;
  states["kernel_changes"] = kernel_changes_json(r);
  return states;
}

json leftovers_json(const RunResult& r) {
  json leftovers = json::object();
  for (const auto& [side, sockets] : r.leftovers) {
    json list = json::array();
    for (const auto& e : sockets)
      list.push_back({{"state", e.state}, {"local", e.local}, {"remote", e.remote}, {"recv_q", e.recv_q},
                      {"send_q", e.send_q}, {"orphan", e.orphan}, {"timer", timer_name(e.timer)}});
    leftovers[to_string(side)] = list;
  }
  return leftovers;
}

json timings_json(const RunResult& r) {
  json timings = json::array();
  for (const auto& t : r.timings)
    timings.push_back({{"line", t.line}, {"pattern", t.pattern}, {"measured_ms", static_cast<double>(t.measured_ns) / 1e6}});
  return timings;
}

json programs_json(const RunResult& r) {
  json programs = json::array();  // in the order they started
  for (const auto& p : r.programs) {
    json lines = json::array();
    for (const auto& l : p.lines) lines.push_back({{"ms", ms_since(r, l.mono_ns)}, {"stream", l.stream}, {"text", l.text}});
    programs.push_back({{"side", to_string(p.side)}, {"argv", p.argv}, {"output", lines},
                        {"ended", p.ended ? json(*p.ended) : json("killed at teardown")},
                        {"left_running", p.left_running}});
  }
  return programs;
}

// Each side's peer runtime (protocol/runtimes.hpp).
json peers_json(const RunResult& r) {
  json peers = json::object();
  for (Side side : {Side::client, Side::server}) peers[to_string(side)] = r.runtime(side);
  return peers;
}

}  // namespace

nlohmann::json report_json(const RunResult& r) {
  const Scenario& s = *r.scenario;
  json report{{"scenario", s.name},
              {"file", s.file.string()},
              {"claim", s.claim},
              {"verdict", to_string(r.verdict)},
              {"seconds", r.seconds},
              {"timers_ms", s.timers.count()},
              {"ended", {{"how", r.ended}, {"ms_after_last_step", r.settle_ms}}},
              {"phases_ms", {{"setup", r.setup_ms}, {"timeline", r.timeline_ms}, {"settle", r.settle_ms},
                             {"teardown", r.teardown_ms}}},
              {"client_port", r.client_port},
              {"server_port", r.server_port},
              {"family", to_string(r.family)},
              {"peers", peers_json(r)},
              {"seed", r.seed},
              {"addresses", {{"client", kClientHost.address_in(r.family)}, {"server", kServerHost.address_in(r.family)}}},
              {"steps", steps_json(r)},
              {"wire", wire_json(r)},
              {"states", states_json(r)},
              {"leftovers", leftovers_json(r)},
              {"capture", (r.out_dir / "capture.pcapng").string()},
              {"timings", timings_json(r)}};
  if (!r.programs.empty()) report["programs"] = programs_json(r);
  json expected = json::array();  // expect.wire as written, for a reader to set beside what came
  for (const auto& e : s.wire) expected.push_back({{"line", e.line}, {"pattern", pcap::to_string(e.value)}});
  report["expect"] = {{"wire", expected}};
  if (!r.first_mismatch.empty()) report["first_mismatch"] = r.first_mismatch;
  return report;
}

}  // namespace closepath
