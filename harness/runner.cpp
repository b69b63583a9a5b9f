#include "runner.hpp"

#include "errors.hpp"
#include "interrupt.hpp"
#include "judge.hpp"
#include "kernel_trace.hpp"
#include "doctor.hpp"
#include "netem.hpp"
#include "scripted_faults.hpp"
#include "peer_command.hpp"
#include "peer_process.hpp"
#include "topology.hpp"

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <thread>

namespace closepath {
namespace {

using namespace std::chrono_literals;

constexpr auto kQuietBeforeStop = 300ms;  // no frame for this long: the exchange is over
constexpr auto kSettleAtLeast = 100ms;    // after the last step, whatever the wire did before
constexpr auto kSettleLimit = 3s;
constexpr auto kAnswerGrace = 2s;         // beyond a step's own deadline

std::int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

void sleep_for(std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    check_interrupted();
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(20ms, until - std::chrono::steady_clock::now()));
  }
}

std::vector<std::string> peer_args(const Host& self, const Host& other, const RunResult& r, const char* role) {
  return {"--role", role, "--local", self.address, "--remote", other.address, "--port", std::to_string(r.server_port),
          "--client-port", std::to_string(r.client_port)};
}

// Everything live during a run, torn down in reverse order of construction.
struct LiveRun {
  LiveRun(const Scenario& s, const RunOptions& o, RunResult& r)
      : topology(s.sysctl, s.rto_min),
        trace(start_trace(o, r.client_port, r)),
        wire(topology.wire(), faults),
        client(topology.client(), "client", o.peer_program, peer_args(kClientHost, kServerHost, r, "client")),
        server(topology.server(), "server", o.peer_program, peer_args(kServerHost, kClientHost, r, "server")) {}

  PeerProcess& peer(Side s) { return s == Side::client ? client : server; }

  static std::unique_ptr<KernelTrace> start_trace(const RunOptions& o, int port, RunResult& r) {
    if (!o.tracefs) {
      r.trace_unavailable = o.tracefs_unavailable;
      return nullptr;
    }
    return KernelTrace::start(*o.tracefs, port, &r.trace_unavailable);
  }

  Topology topology;
  std::unique_ptr<KernelTrace> trace;  // null: states come from the capture only
  ScriptedFaults faults;
  Wire wire;
  PeerProcess client, server;
};

void play(const Scenario& s, LiveRun& live, RunResult& r) {
  for (std::size_t i = 0; i < s.steps.size(); ++i) {
    check_interrupted();
    const Step& step = s.steps[i];
    live.wire.mark_step(static_cast<int>(i));
    StepResult sr;
    sr.step = &step;
    if (const auto* wait = std::get_if<WaitStep>(&step.what)) {
      const auto start = mono_ns();
      sleep_for(wait->duration);
      sr.outcome = {{"end", "ok"}, {"start_ns", start}, {"end_ns", mono_ns()}};
    } else if (const auto* ws = std::get_if<WireStep>(&step.what)) {
      const auto start = mono_ns();
      if (const auto* netem = std::get_if<Netem>(&ws->action)) apply_netem(live.topology.wire(), *netem);
      else sr.mismatch = live.faults.apply(ws->action, "step " + std::to_string(i + 1) + " " + step.text);
      live.wire.sync();
      sr.outcome = {{"end", sr.mismatch ? "error" : "ok"}, {"start_ns", start}, {"end_ns", mono_ns()}};
    } else {
      const auto& ps = std::get<PeerStep>(step.what);
      sr.outcome = live.peer(ps.side).call(peer_command(ps), ps.within + kAnswerGrace);
      sr.mismatch = compare_outcome(ps, sr.outcome);
    }
    r.steps.push_back(std::move(sr));
  }
}

void settle(Wire& wire) {
  sleep_for(kSettleAtLeast);
  const auto until = std::chrono::steady_clock::now() + kSettleLimit;
  while (wire.quiet_for() < kQuietBeforeStop && std::chrono::steady_clock::now() < until) sleep_for(20ms);
}

}  // namespace

RunResult run_scenario(const Scenario& s, const RunOptions& o) {
  RunResult r;
  r.scenario = &s;
  r.client_port = o.port ? o.port : 20000 + static_cast<int>(getpid() % 20000);
  r.server_port = s.port;
  r.out_dir = o.out_root / s.name;
  r.start_mono_ns = mono_ns();
  std::string no_netem;
  if (s.needs_netem && !netem_available(&no_netem)) {
    r.verdict = Verdict::skipped;
    r.first_mismatch = "needs netem, which this kernel lacks (" + no_netem + "); `closepath doctor` says how to get it";
    return r;
  }
  std::optional<LiveRun> live;
  try {
    live.emplace(s, o, r);
    play(s, *live, r);
    settle(live->wire);
    // The audit runs while the peers still hold their sockets.
    for (Side side : {Side::client, Side::server}) r.leftovers[side] = audit_sockets(live->topology.of(side));
    if (live->trace) r.trace = live->trace->events();
  } catch (const HostError& e) {
    r.verdict = Verdict::error;
    r.first_mismatch = e.what();
  } catch (const PeerError& e) {
    r.verdict = Verdict::error;
    r.first_mismatch = e.what();
  }
  // Stop recording before the peers go: their exit would close sockets on the wire.
  if (live) r.frames = live->wire.stop();
  live.reset();
  std::stable_sort(r.frames.begin(), r.frames.end(),
                   [](const WireFrame& a, const WireFrame& b) { return a.frame.ts_ns < b.frame.ts_ns; });
  std::vector<pcap::Frame> frames;
  for (const auto& f : r.frames) frames.push_back(f.frame);
  r.flow = pcap::track_flow(frames, kClientHost.address);
  for (auto& p : r.flow.packets) {
    const auto& f = r.frames[p.frame];
    p.note = f.note;
    p.mono_ns = f.mono_ns;
    p.delivered = f.forwarded;
    p.injected = f.injected;
  }
  r.states = collect_states(r.trace, pcap::infer_states(r.flow.packets), r.leftovers,
                            {kClientHost.address, kServerHost.address, r.client_port});
  if (r.first_mismatch.empty()) judge(r);
  r.seconds = static_cast<double>(mono_ns() - r.start_mono_ns) / 1e9;
  return r;
}

}  // namespace closepath
