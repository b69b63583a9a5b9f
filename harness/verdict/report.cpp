#include "report.hpp"

#include "catalogue.hpp"
#include "frame_facts.hpp"
#include "step_problems.hpp"
#include "frame_notes.hpp"
#include "judge.hpp"
#include "ladder.hpp"
#include "report_html.hpp"
#include "pcapng_writer.hpp"
#include "hosts.hpp"

#include <chrono>
#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <unistd.h>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace closepath {
namespace {

std::string step_label(const RunResult& r, int step) {
  if (step < 0 || static_cast<std::size_t>(step) >= r.scenario->steps.size()) return "before step 1";
  return "step " + std::to_string(step + 1) + " " + r.scenario->steps[static_cast<std::size_t>(step)].text;
}

}  // namespace

std::string frame_comment(const RunResult& r, std::size_t frame) {
  const WireFrame& f = r.frames[frame];
  std::string c = step_label(r, f.step);
  if (!f.note.empty()) c += "; " + f.note;
  else c += f.forwarded ? "; forwarded" : "; not forwarded";
  // State changes this frame caused, as inferred from the capture.
  for (const auto& [side, changes] : {std::pair{"client", &r.inferred.client}, std::pair{"server", &r.inferred.server}})
    for (const auto& change : *changes)
      if (r.flow.packets[change.packet].frame == frame) c += std::string("; ") + side + " -> " + state_text(change.state);
  return c;
}

nlohmann::json run_facts(const RunResult& r) {
  using nlohmann::json;
  json anchors = json::array();  // each step's start, on the capture's clock (realtime ns)
  json steps = json::array();    // each step's record, times on the capture's clock: what check judges
  for (const auto& sr : r.steps) {
    anchors.push_back(sr.outcome && sr.outcome->start_ns ? json(sr.outcome->start_ns + r.realtime_offset_ns)
                                                          : json(nullptr));
    json step = json::object();
    if (sr.outcome) {
      auto o = *sr.outcome;
      if (o.start_ns) o.start_ns += r.realtime_offset_ns;
      if (o.end_ns) o.end_ns += r.realtime_offset_ns;
      step["outcome"] = protocol::to_json(o);
    }
    if (sr.seen) step["seen"] = *sr.seen;
    if (sr.touched) step["touched"] = *sr.touched;
    if (sr.awaited_step) step["awaited_step"] = *sr.awaited_step;
    if (sr.problem) step["problem"] = to_json(*sr.problem);
    steps.push_back(step);
  }
  json kernel = json::object(), kernel_from = json::object(), leftovers = json::object(), at_close = json::object();
  for (const auto& [side, st] : r.states)
    if (st.kernel) {
      kernel[to_string(side)] = *st.kernel;
      kernel_from[to_string(side)] = st.kernel_from;
    }
  auto entry = [](const SocketEntry& e) -> json {
    return {{"state", e.state},         {"local", e.local},   {"remote", e.remote}, {"local_port", e.local_port},
            {"remote_port", e.remote_port}, {"recv_q", e.recv_q}, {"send_q", e.send_q}, {"orphan", e.orphan},
            {"timer", e.timer}};
  };
  for (const auto& [side, sockets] : r.leftovers) {
    leftovers[to_string(side)] = json::array();
    for (const auto& e : sockets) leftovers[to_string(side)].push_back(entry(e));
  }
  for (const auto& [side, e] : r.at_close) at_close[to_string(side)] = entry(e);
  json programs = json::array();
  for (const auto& p : r.programs)
    programs.push_back({{"side", to_string(p.side)}, {"exec_step", p.exec_step}, {"ended", p.ended ? json(*p.ended) : json(nullptr)},
                        {"left_running", p.left_running}});
  json effects = json::object();
  for (const auto& [frame, bits] : effects_by_frame(r.frames)) {
    json names = json::array();
    for (std::size_t e = 0; e < pcap::kWireEffectNames.size(); ++e)
      if (pcap::has(bits, static_cast<pcap::WireEffect>(e))) names.push_back(pcap::kWireEffectNames[e]);
    effects[std::to_string(frame)] = names;
  }
  json runtimes = json::object();
  for (const auto& [side, runtime] : r.runtimes) runtimes[to_string(side)] = runtime;
  return {{"version", 5},          {"scenario", r.scenario->name}, {"runtimes", runtimes}, {"verdict", to_string(r.verdict)},
          {"client", kClientHost.address_in(r.family)}, {"client_port", r.client_port}, {"server_port", r.server_port},
          {"anchors", anchors},    {"steps", steps},               {"kernel_states", kernel},
          {"kernel_from", kernel_from}, {"leftovers", leftovers},  {"at_close", at_close},
          {"programs", programs}, {"effects", effects}, {"undelivered", undelivered_frames(r.frames)}};
}

namespace {

// A step's rows in the ladder: where it began (with its outcome when it took
// under a millisecond) and, for a peer step that blocked or ran in the
// background or a wire wait, its outcome again where it ended, so the ladder
// shows when the application was told.
void add_ladder_steps(LadderInput& in, const RunResult& r, std::size_t i) {
  const auto& sr = r.steps[i];
  if (!sr.outcome || !sr.outcome->start_ns) return;  // not reached, or not timed (pending, killed)
  const auto number = "[" + std::to_string(i + 1) + "] ";
  LadderStep start;
  start.t_ns = sr.outcome->start_ns;
  start.text = number + sr.step->text;
  start.bad = sr.mismatch.has_value();
  std::string outcome = "=> " + sr.outcome->end;
  const auto* ps = std::get_if<PeerStep>(&sr.step->what);
  const auto* program = std::get_if<ProgramStep>(&sr.step->what);
  if (ps || program) {  // on its side, without the side's name
    const Side side = ps ? ps->side : program->side;
    start.where = side == Side::client ? LadderStep::Where::client : LadderStep::Where::server;
    start.text = number + sr.step->text.substr(sr.step->text.find(' ') + 1);
    if (sr.outcome->bytes > 0) outcome += " " + std::to_string(sr.outcome->bytes) + "B";
    if (const auto& info = sr.outcome->tcp_info) {  // the state and the counters that are not zero (not the gauges)
      outcome = "=> " + info->state;
      for (const auto& [name, value] : info->counters)
        if (value && !protocol::is_tcp_info_gauge(name)) outcome += " " + name + " " + std::to_string(value);
    }
    if (sr.awaited_step) outcome = "=> step " + std::to_string(*sr.awaited_step) + " collected";
  } else if (!std::holds_alternative<WireWait>(sr.step->what)) {
    // A wait or a fault: nothing to tell afterwards but how many frames the fault touched.
    if (const auto* ws = std::get_if<WireStep>(&sr.step->what); ws && sr.touched)
      if (const auto did = fault_count_text(ws->action, *sr.touched); !did.empty()) start.text += " (" + did + ")";
    in.steps.push_back(std::move(start));
    return;
  }
  const auto end_ns = sr.outcome->end_ns ? sr.outcome->end_ns : start.t_ns;
  if (end_ns - start.t_ns < 1'000'000) {
    if (ps || program) start.text += " " + outcome;
    in.steps.push_back(std::move(start));
    return;
  }
  LadderStep done = start;
  done.t_ns = end_ns;
  done.text = number + outcome;
  if (ps || program) start.bad = false;  // the outcome row carries the mismatch
  in.steps.push_back(std::move(start));
  in.steps.push_back(std::move(done));
}

}  // namespace

std::string run_ladder(const RunResult& r, bool colour) {
  LadderInput in;
  in.packets = r.flow.packets;
  in.states = r.inferred;
  in.marked = r.mismatch_packet;
  in.t0_ns = r.start_mono_ns;
  in.colour = colour;
  for (std::size_t i = 0; i < r.steps.size(); ++i) add_ladder_steps(in, r, i);
  // A program's output sits on its side when it arrived, "1>" stdout, "2>" stderr.
  for (const auto& program : r.programs)
    for (const auto& line : program.lines)
      in.steps.push_back({.t_ns = line.mono_ns,
                          .where = program.side == Side::client ? LadderStep::Where::client : LadderStep::Where::server,
                          .text = (line.stream == "stderr" ? "2> " : "1> ") + line.text,
                          .bad = false});
  return render_ladder(in);
}

namespace {

// A program's output in the capture: each line goes on the first frame at or
// after it ("printed ... before this frame"), or, after the last frame, on the
// last one; with no frames at all, into the section's comments.
void add_program_lines(const RunResult& r, std::vector<pcap::CapturedPacket>& packets,
                       std::vector<std::string>& section_comments) {
  for (const auto& program : r.programs)
    for (const auto& line : program.lines) {
      const auto said = "the " + to_string(program.side) + note::kProgramPrinted + line.stream + ") '" + line.text + "'";
      if (packets.empty()) {
        section_comments.push_back(said);
        continue;
      }
      std::size_t i = 0;
      while (i + 1 < r.frames.size() && r.frames[i].mono_ns < line.mono_ns) ++i;
      const auto gap_ms = static_cast<double>(std::abs(r.frames[i].mono_ns - line.mono_ns)) / 1e6;
      std::ostringstream when;
      when << std::fixed << std::setprecision(1) << gap_ms << " ms "
           << (r.frames[i].mono_ns >= line.mono_ns ? "before" : "after") << " this frame";
      packets[i].frame.comment += "; " + said + " " + when.str();
    }
}

}  // namespace

void write_capture(const RunResult& r) {
  std::vector<pcap::CapturedPacket> packets;
  for (std::size_t i = 0; i < r.frames.size(); ++i) {
    const auto& f = r.frames[i];
    pcap::CapturedPacket p{f.frame, f.injected ? pcap::Direction::outbound : pcap::Direction::inbound};
    p.frame.comment = frame_comment(r, i);
    packets.push_back(std::move(p));
  }
  pcap::SectionInfo section{"closepath",
                            {"closepath scenario " + r.scenario->name + ": " + to_string(r.verdict) +
                                 (r.first_mismatch.empty() ? "" : " - " + r.first_mismatch),
                             kRunFactsTag + json_text(run_facts(r), -1)}};
  add_program_lines(r, packets, section.comments);
  std::vector<pcap::CaptureInterface> legs{
      {kClientLeg, "client leg: frames from the client (10.0.0.1) as they reached the wire, and frames the wire "
                   "injected toward the client (outbound)"},
      {kServerLeg, "server leg: frames from the server (10.0.0.2) as they reached the wire, and frames the wire "
                   "injected toward the server (outbound)"}};
  pcap::write_pcapng(r.out_dir / "capture.pcapng", section, legs, packets);
}

nlohmann::json write_report(const RunResult& r) {
  std::filesystem::create_directories(r.out_dir);
  write_capture(r);
  auto report = report_json(r);
  // What the page costs a run, measured as it is made and kept beside the other phases (tools/bench.sh reads it).
  const auto began = std::chrono::steady_clock::now();
  const auto page = report_html(report);
  report["phases_ms"]["report_html"] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began).count();
  std::ofstream(r.out_dir / "report.json") << json_text(report) << "\n";
  std::ofstream(r.out_dir / "report.html") << page;
  std::ofstream(r.out_dir / "ladder.txt") << run_ladder(r, false);
  return report;
}

std::string json_text(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool colour_for(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  return isatty(fd) && !(no_color && *no_color);
}

void print_run(std::ostream& out, const RunResult& r, bool ladder) {
  print_summary(out, r);
  if (r.verdict == Verdict::fail || (ladder && r.verdict != Verdict::skipped))
    out << run_ladder(r, colour_for(&out == &std::cout ? STDOUT_FILENO : STDERR_FILENO)) << std::flush;
}

void print_summary(std::ostream& out, const RunResult& r) {
  std::ostringstream line;
  const char* word = r.verdict == Verdict::pass   ? "PASS "
                     : r.verdict == Verdict::fail ? "FAIL "
                     : r.verdict == Verdict::skipped ? "SKIP "
                                                     : "ERROR";
  line << word << " " << std::left << std::setw(30) << r.scenario->name << std::right << std::fixed
       << std::setprecision(2) << std::setw(6) << r.seconds << " s  " << std::setw(3) << r.flow.packets.size()
       << " packets  " << display_path(r.scenario->file) << "  " << (r.out_dir / "capture.pcapng").string() << "\n";
  if (r.verdict != Verdict::pass) line << "      " << r.first_mismatch << "\n";
  if (r.verdict == Verdict::fail && r.scenario->impairs)
    line << "      seed " << r.seed << ": `closepath run " << r.scenario->name << " --seed " << r.seed << "` replays its impairments\n";
  out << line.str() << std::flush;
}

}  // namespace closepath
