#include "runner.hpp"

#include "catalogue.hpp"

#include "session.hpp"
#include "clock.hpp"
#include "doctor.hpp"
#include "errors.hpp"
#include "frame_facts.hpp"
#include "interrupt.hpp"
#include "analysis.hpp"
#include "report.hpp"
#include "netem.hpp"
#include "overloaded.hpp"
#include "player.hpp"
#include "port_reservation.hpp"
#include "socket_audit.hpp"
#include "states.hpp"
#include "watchdog.hpp"

#include <unistd.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>

namespace closepath {
namespace {

using namespace std::chrono_literals;

constexpr auto kQuietBeforeStop = 300ms;  // no frame for this long: the exchange is over, at rest or not
constexpr auto kSettleAtLeast = 100ms;    // not at rest: no sooner than this after the last step
constexpr auto kSettleLimit = 3s;
constexpr auto kSetupAllowance = 120s;    // setup and teardown, however slow the CPU
constexpr auto kWireStepBound = 30s;      // a wire step runs tc at most (netns.cpp bounds each command)

std::int64_t mono_ns() { return protocol::now_ns(); }
double ms_between(std::int64_t from, std::int64_t to) { return static_cast<double>(to - from) / 1e6; }


// Both endpoints at rest with nothing between them: each namespace idle
// (activity_probe.hpp: one look, its counters unmoved across it), every
// frame an endpoint sent read by the wire, every frame the wire sent
// received, none waiting out a delay.
struct AtRest {
  std::array<Activity, 2> sides;
  Wire::Traffic wire;
};

std::optional<AtRest> at_rest(const LiveRun& live) {
  AtRest look;
  for (std::size_t leg = 0; leg < 2; ++leg) look.sides[leg] = live.rig->probes[leg].read();
  look.wire = live.wire.traffic();  // after the namespaces': a frame sent since is ahead of it
  if (look.wire.delayed) return std::nullopt;
  for (std::size_t leg = 0; leg < 2; ++leg) {
    const auto& a = look.sides[leg];
    if (!idle(a) || a.eth_tx != look.wire.read[leg] || a.eth_rx != look.wire.sent[leg]) return std::nullopt;
  }
  return look;
}

struct Settled {
  const char* how;
  std::optional<AtRest> rest;  // the look that found the run at rest
};

// Waits, after the last step, until the exchange is over: a look finds the
// run at rest. Where the kernel keeps working (retransmitting into a
// blackhole), a user's program still runs (it acts on its own clock), or a
// netem qdisc is in the path (what it holds, delays, drops or duplicates
// no counter shows: the frames the wire sent and those the endpoint took
// in can balance while a frame still waits in netem), the run ends as it
// always has: no sooner than kSettleAtLeast after the last step, once the
// wire has carried nothing for kQuietBeforeStop. kSettleLimit bounds both.
Settled settle(const LiveRun& live, bool netem) {
  const bool programs_running = std::any_of(live.programs.begin(), live.programs.end(),
                                            [](const auto& p) { return !p->status(); });
  const auto started = std::chrono::steady_clock::now();
  const auto until = started + kSettleLimit;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (!programs_running && !netem)
      if (auto look = at_rest(live)) return {"at rest", std::move(look)};
    // As runs always ended: no sooner than kSettleAtLeast after the last step, once the wire is quiet.
    if (now - started >= kSettleAtLeast && live.wire.quiet_for() >= kQuietBeforeStop) return {"wire quiet", {}};
    if (now >= until) return {"settle limit", {}};
    interruptible_sleep(1ms);
  }
}

}  // namespace

std::chrono::milliseconds run_limit(const Scenario& s) {
  std::chrono::milliseconds limit = kSetupAllowance + kSettleLimit;
  for (const auto& step : s.steps)
    limit += std::visit(overloaded{[](const PeerStep& p) -> std::chrono::milliseconds { return p.within + kAnswerGrace; },
                                   [](const WaitStep& w) -> std::chrono::milliseconds { return w.duration; },
                                   [](const WireWait& w) -> std::chrono::milliseconds { return w.within; },
                                   [](const WireStep&) -> std::chrono::milliseconds { return kWireStepBound; },
                                   [](const ProgramStep& p) -> std::chrono::milliseconds { return p.within; }},
                        step.what);
  return limit;
}

namespace {

// Sets up, plays the timeline, settles and audits; a host, peer or watchdog
// failure ends the run as an error with what it said.
void play(Session& session, const Scenario& s, const RunOptions& o, RunResult& r, bool another_follows,
          std::unique_ptr<LiveRun>& live, std::optional<PortReservation>& port) {
  try {
    now_doing("setting up (client port, namespaces, wire, kernel trace, peers)");
    port.emplace(session.ports.take(o.port));
    // The trace keeps this port's events from here on, not from the run's
    // start: the port's last holder (another process's run) may have been
    // tearing down until a moment ago, and everything it left fired its
    // events before it let the port go (its sockets are destroyed first).
    const auto port_held_from = mono_ns();
    r.client_port = port->port();
    live = std::make_unique<LiveRun>(session.backstage, s, o, r, another_follows);
    const auto played_from = mono_ns();
    r.setup_ms = ms_between(r.start_mono_ns, played_from);
    Player(s, *live, r).play();
    r.timeline_ms = ms_between(played_from, mono_ns());
    now_doing("waiting for the exchange to end (both endpoints at rest, or the wire quiet)");
    const auto settle_start = mono_ns();
    auto settled = settle(*live, s.needs_netem);
    r.ended = settled.how;
    r.settle_ms = ms_between(settle_start, mono_ns());
    for (const auto& program : live->programs) program->note_what_it_left();  // a daemon's processes
    // The audit runs while the peers still hold their sockets: at rest, the
    // look that found it so read them all.
    now_doing("auditing the sockets left");
    for (Side side : {Side::client, Side::server})
      r.leftovers[side] = settled.rest ? std::move(settled.rest->sides[side == Side::client ? 0 : 1].sockets)
                                       : live->probe(side).sockets();
    if (live->trace) r.trace = live->trace->events(r.client_port, port_held_from);
    if (!another_follows) {  // the process's last run: its trace instance goes now, beside the report and the teardown
      live->trace = nullptr;
      KernelTrace::release_shared();
      live->rig->let_trace_go();
    }
  } catch (const HostError& e) {
    r.verdict = Verdict::error;
    r.first_mismatch = e.what();
  } catch (const PeerError& e) {
    r.verdict = Verdict::error;
    r.first_mismatch = e.what();
  } catch (const RunStuck& e) {
    r.verdict = Verdict::error;
    r.first_mismatch = e.what();
  }
}

// Stops the recording (before the peers go: their exit would close sockets
// on the wire), keeps the programs' records and what each fault touched,
// and hands the rest of the teardown to the backstage.
void stop_and_record(Backstage& backstage, const Scenario& s, RunResult& r, std::unique_ptr<LiveRun> live,
                     std::optional<PortReservation> port) {
  now_doing("tearing down");
  if (live) {
    r.frames = live->wire.stop();
    for (const auto& program : live->programs) r.programs.push_back(program->record());
    const auto touched = touched_per_step(r.frames);
    for (std::size_t i = 0; i < r.steps.size(); ++i)
      if (std::holds_alternative<WireStep>(s.steps[i].what) && r.steps[i].outcome) {
        const auto it = touched.find(i);
        r.steps[i].touched = it == touched.end() ? 0 : it->second;
      }
  }
  // The rest of the teardown (peers, programs, the sockets they leave, wire
  // legs, namespaces) waits for the kernel: off the run's clock. The port
  // stays reserved until it is done, so no other run's trace can take its events.
  backstage.later([live = std::shared_ptr<LiveRun>(std::move(live)),
                          port = std::make_shared<std::optional<PortReservation>>(std::move(port))]() mutable {
    live.reset();
    port.reset();
  });
}

// The capture's flow, both sides' states, and the verdict, from what the run recorded.
void analyse(RunResult& r) {
  std::stable_sort(r.frames.begin(), r.frames.end(),
                   [](const WireFrame& a, const WireFrame& b) { return a.frame.ts_ns < b.frame.ts_ns; });
  std::vector<pcap::Frame> frames;
  std::vector<FrameFacts> facts;
  for (const auto& f : r.frames) frames.push_back(f.frame), facts.push_back(facts_of(f, r.realtime_offset_ns));
  r.flow = pcap::track_flow(frames, kClientHost.address_in(r.family), true);
  annotate(r.flow, facts);
  analyse(r, {kClientHost.address_in(r.family), kServerHost.address_in(r.family), r.client_port});
}

}  // namespace

RunResult run_scenario(Session& session, const Scenario& s, const RunOptions& o, const std::filesystem::path& out_dir,
                       bool another_follows) {
  RunResult r;
  r.scenario = &s;
  r.server_port = s.port;
  r.family = s.family.value_or(o.family);
  r.seed = o.seed;
  for (Side side : {Side::client, Side::server}) r.runtimes[side] = peer_runtime(s.peers, o.peers, side);
  r.out_dir = out_dir;
  r.start_mono_ns = mono_ns();
  r.realtime_offset_ns = protocol::now_ns(CLOCK_REALTIME) - r.start_mono_ns;
  for (const auto& [side, runtime] : r.runtimes)
    if (s.differs.contains(runtime)) {
      r.verdict = Verdict::skipped;
      r.first_mismatch = "the " + to_string(side) + " is a " + runtime + " peer, which meets another close path here: " + s.differs.at(runtime);
      return r;
    }
  std::string no_netem;
  if (s.needs_netem && !netem_available(&no_netem)) {
    r.verdict = Verdict::skipped;
    r.first_mismatch = "needs netem, which this kernel lacks (" + no_netem + "); `closepath doctor` says how to get it";
    return r;
  }
  RunWatchdog watchdog(o.stuck_after.value_or(run_limit(s)), out_dir);
  std::unique_ptr<LiveRun> live;
  std::optional<PortReservation> port;
  play(session, s, o, r, another_follows, live, port);
  stop_and_record(session.backstage, s, r, std::move(live), std::move(port));
  analyse(r);
  r.seconds = static_cast<double>(mono_ns() - r.start_mono_ns) / 1e9;
  if (r.setup_ms > 0) r.teardown_ms = r.seconds * 1000 - r.setup_ms - r.timeline_ms - r.settle_ms;
  return r;
}

ReportedRun run_and_report(Session& session, const Scenario& s, const RunOptions& options,
                           const std::filesystem::path& out_dir, bool another_follows, std::ostream& human, bool ladder) {
  auto r = run_scenario(session, s, options, out_dir, another_follows);
  auto report = write_report(r);
  print_run(human, r, ladder);
  return {std::move(r), std::move(report)};
}

}  // namespace closepath
