#include "runner.hpp"

#include "activity_probe.hpp"
#include "backstage.hpp"
#include "clock.hpp"
#include "doctor.hpp"
#include "errors.hpp"
#include "frame_facts.hpp"
#include "interrupt.hpp"
#include "judge.hpp"
#include "kernel_trace.hpp"
#include "netem.hpp"
#include "overloaded.hpp"
#include "peer_process.hpp"
#include "port_reservation.hpp"
#include "program_process.hpp"
#include "program_user.hpp"
#include "scripted_faults.hpp"
#include "socket_audit.hpp"
#include "states.hpp"
#include "tls_credentials.hpp"
#include "topology.hpp"
#include "watchdog.hpp"
#include "wire.hpp"

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
constexpr auto kRestConfirmed = 5ms;      // at rest, unchanged, for this long: over
constexpr auto kSettleAtLeast = 100ms;    // not at rest: no sooner than this after the last step
constexpr auto kSettleLimit = 3s;
constexpr auto kAnswerGrace = 2s;         // beyond a step's own deadline
// TLS setup loads a key and a certificate: no kernel timer, but slow under emulation (qemu/TCG, sanitizers).
constexpr auto kSetupLimit = 30s;
constexpr auto kSetupAllowance = 120s;    // setup and teardown, however slow the CPU
constexpr auto kWireStepBound = 30s;      // a wire step runs tc at most (netns.cpp bounds each command)

std::int64_t mono_ns() { return protocol::now_ns(); }
double ms_between(std::int64_t from, std::int64_t to) { return static_cast<double>(to - from) / 1e6; }


std::vector<std::string> peer_args(const Host& self, const Host& other, const RunResult& r, const char* role) {
  return {"--role", role, "--local", self.address_in(r.family), "--remote", other.address_in(r.family),
          "--port", std::to_string(r.server_port),
          "--client-port", std::to_string(r.client_port)};
}

// Everything live during a run, torn down in reverse order of construction.
struct LiveRun {
  LiveRun(const Scenario& s, const RunOptions& o, RunResult& r, bool another_follows)
      : rig(Backstage::get().take(o.tracefs, another_follows)),
        topology(rig->topology),
        trace(rig->trace.get()),
        faults(rig->faults),
        wire(rig->wire),
        reaper{topology},
        client((configure(s, o, r), topology.client()), "client", o.peer_program,
               peer_args(kClientHost, kServerHost, r, "client")),
        server(topology.server(), "server", o.peer_program, peer_args(kServerHost, kClientHost, r, "server")),
        probes{ActivityProbe(topology.client()), ActivityProbe(topology.server())} {}

  PeerProcess& peer(Side s) { return s == Side::client ? client : server; }

  // What the scenario sets on the rig, before any peer starts.
  void configure(const Scenario& s, const RunOptions& o, RunResult& r) {
    topology.configure(s.sysctl, s.rto_min);
    // A program's connection picks its own port: give it only the run's, so
    // the kernel trace (keyed by that port) follows it.
    if (s.program_sides.contains(Side::client))
      write_sysctl(topology.client(), "net.ipv4.ip_local_port_range",
                   std::to_string(r.client_port) + " " + std::to_string(r.client_port));
    if (!trace) r.trace_unavailable = o.tracefs ? rig->trace_unavailable : o.tracefs_unavailable;
  }

  std::unique_ptr<Rig> rig;
  Topology& topology;
  KernelTrace* trace;  // null: states come from the capture only
  ScriptedFaults& faults;
  Wire& wire;
  // Destroyed after the peers and programs (declared before them): the
  // sockets their exit left (orphans, TIME_WAIT) go before the namespaces
  // do, so none outlives the run, to fire trace events under its port later.
  struct SocketReaper {
    Topology& topology;
    ~SocketReaper() {
      for (Side side : {Side::client, Side::server}) try {
          destroy_sockets(topology.of(side));
        } catch (const HostError&) {
          // Nothing to report to at teardown; the namespace goes anyway.
        }
    }
  } reaper;
  PeerProcess client, server;
  std::array<ActivityProbe, 2> probes;  // the client's, the server's: is the exchange over?
  // What exec started, in order (a side's latest is the one its steps
  // address); all of them are killed at teardown.
  std::vector<std::unique_ptr<ProgramProcess>> programs;
  ProgramProcess* program(Side side) const {
    for (auto it = programs.rbegin(); it != programs.rend(); ++it)
      if ((*it)->side() == side) return it->get();
    return nullptr;
  }
};

// The outcome of a step the runner itself carries out, timed from `start`.
protocol::Outcome timed(const char* end, std::int64_t start) {
  return {.end = end, .start_ns = start, .end_ns = mono_ns()};
}

protocol::Command command(const PeerStep& ps) { return {.action = ps.action, .within = ps.within}; }

// Background steps in flight, per side: (step index, peer command id).
using Pending = std::map<Side, std::deque<std::pair<std::size_t, int>>>;

// Collects the oldest background step of `side`; returns its index.
std::size_t collect(const Scenario& s, LiveRun& live, RunResult& r, Side side, Pending& pending) {
  const auto [index, id] = pending[side].front();
  pending[side].pop_front();
  const auto& ps = std::get<PeerStep>(s.steps[index].what);
  auto& sr = r.steps[index];
  sr.outcome = live.peer(side).await(id, ps.within + kAnswerGrace);
  sr.mismatch = compare_outcome(ps, *sr.outcome);
  return index;
}

void setup_tls(LiveRun& live, Family family) {
  const auto creds = make_tls_credentials(kServerHost.address_in(family));
  for (Side side : {Side::client, Side::server}) {
    protocol::TlsSetup setup;
    if (side == Side::client) setup.ca_pem = creds.ca_pem;
    else setup.cert_pem = creds.server_cert_pem, setup.key_pem = creds.server_key_pem;
    const auto answer = live.peer(side).call({.action = setup, .within = kSetupLimit}, kSetupLimit);
    if (answer.end != "ok")
      throw PeerError(to_string(side) + " peer: TLS setup failed: " + protocol::to_json(answer).dump());
  }
}

// Plays the timeline: one method per kind of step, chosen by an exhaustive visit.
class Player {
 public:
  Player(const Scenario& s, LiveRun& live, RunResult& r) : s_(s), live_(live), r_(r) {}

  void play() {
    if (s_.uses_tls) setup_tls(live_, r_.family);
    r_.steps.resize(s_.steps.size());
    for (std::size_t i = 0; i < s_.steps.size(); ++i) r_.steps[i].step = &s_.steps[i];
    for (i_ = 0; i_ < s_.steps.size(); ++i_) {
      check_interrupted();
      live_.wire.mark_step(static_cast<int>(i_));
      const Step& step = s_.steps[i_];
      where_ = "step " + std::to_string(i_ + 1) + " (" + step.text + ")";
      std::visit(overloaded{[&](const WaitStep& w) { pause(w); }, [&](const WireWait& w) { barrier(w); },
                            [&](const WireStep& w) { fault(w); }, [&](const PeerStep& p) { peer(p); },
                            [&](const ProgramStep& p) { program(p); }},
                 step.what);
    }
    // Background steps nobody awaited end with the timeline.
    now_doing("collecting the background steps nobody awaited");
    for (Side side : {Side::client, Side::server})
      while (!pending_[side].empty()) collect(s_, live_, r_, side, pending_);
  }

 private:
  StepResult& result() { return r_.steps[i_]; }

  void pause(const WaitStep& wait) {
    const auto start = mono_ns();
    now_doing(where_ + ": pausing");
    interruptible_sleep(wait.duration);
    result().outcome = timed("ok", start);
  }

  void barrier(const WireWait& barrier) {
    auto& sr = result();
    const auto start = mono_ns();
    now_doing(where_ + ": waiting for the wire to carry it");
    const auto seen = live_.faults.wait_for(barrier.match, barrier.count, barrier.within, [] { return interrupted(); });
    check_interrupted();
    sr.outcome = timed(seen >= barrier.count ? "ok" : "timeout", start);
    sr.seen = seen;
    if (seen < barrier.count)
      sr.mismatch = "expected " + std::to_string(barrier.count) + " packet(s) matching '" + pcap::to_string(barrier.match) +
                    "' on the wire within " + std::to_string(barrier.within.count()) + " ms vs actual " + std::to_string(seen);
  }

  void fault(const WireStep& ws) {
    auto& sr = result();
    const auto start = mono_ns();
    now_doing(where_ + ": applying the fault");
    // netem is tc's; the exact program still learns of it, to annotate the frames it may change.
    if (const auto* netem = std::get_if<Netem>(&ws.action)) apply_netem(live_.topology.wire(), *netem);
    sr.mismatch = live_.faults.apply(ws.action, i_, "step " + std::to_string(i_ + 1) + " " + s_.steps[i_].text);
    live_.wire.sync();
    sr.outcome = timed(sr.mismatch ? "error" : "ok", start);
  }

  void peer(const PeerStep& ps) {
    auto& sr = result();
    now_doing(where_ + ": waiting for the " + to_string(ps.side) + " peer's answer");
    if (crashed_.count(ps.side)) {
      sr.outcome = protocol::Outcome{.end = "killed"};
      sr.mismatch = "the " + to_string(ps.side) + " peer was crashed by an earlier step";
    } else if (std::holds_alternative<Await>(ps.action)) {
      if (pending_[ps.side].empty()) {
        sr.mismatch = "nothing to await: no " + to_string(ps.side) + " step runs in the background";
      } else {
        const auto start = mono_ns();
        const auto awaited = collect(s_, live_, r_, ps.side, pending_);
        sr.outcome = timed("ok", start);
        sr.awaited_step = awaited + 1;
      }
    } else if (std::holds_alternative<Crash>(ps.action)) {
      while (!pending_[ps.side].empty()) collect(s_, live_, r_, ps.side, pending_);
      const auto start = mono_ns();
      sr.outcome = live_.peer(ps.side).crash(ps.within + kAnswerGrace);
      sr.outcome->start_ns = start;
      sr.outcome->end_ns = mono_ns();
      sr.mismatch = compare_outcome(ps, *sr.outcome);
      crashed_.insert(ps.side);
      audit_after_close(ps.side);
    } else if (std::holds_alternative<Destroy>(ps.action)) {
      // The side's connection, by its ports; its pending steps go on and meet what it did.
      const auto start = mono_ns();
      const bool client = ps.side == Side::client;
      try {
        destroy_connection(live_.topology.of(ps.side), client ? r_.client_port : r_.server_port,
                           client ? r_.server_port : r_.client_port);
        sr.outcome = timed("ok", start);
      } catch (const HostError& e) {
        sr.outcome = timed("error", start);
        sr.mismatch = "could not destroy the " + to_string(ps.side) + "'s connection: " + e.what();
      }
    } else if (ps.background) {
      pending_[ps.side].emplace_back(i_, live_.peer(ps.side).send(command(ps)));
      sr.outcome = protocol::Outcome{.end = "pending"};
    } else {
      sr.outcome = live_.peer(ps.side).call(command(ps), ps.within + kAnswerGrace);
      sr.mismatch = compare_outcome(ps, *sr.outcome);
      if (std::holds_alternative<Close>(ps.action) || std::holds_alternative<Shutdown>(ps.action)) audit_after_close(ps.side);
    }
  }

  // The side's connection socket just after its application closed it: the state close() set, which a
  // timer may end before the final audit (an orphan reaped behind a zero window) and no packet shows.
  void audit_after_close(Side side) {
    for (const auto& e : audit_sockets(live_.topology.of(side)))
      if (is_connection_socket(side, e, r_.client_port)) {
        r_.at_close[side] = e;
        return;
      }
    r_.at_close.erase(side);
  }

  void program(const ProgramStep& ps) {
    auto& sr = result();
    const auto start = mono_ns();
    const auto until = std::chrono::steady_clock::now() + ps.within;
    const std::string who = "the " + to_string(ps.side) + " program";
    ProgramProcess* slot = live_.program(ps.side);
    auto end = [&](const char* word, std::optional<std::string> mismatch = std::nullopt) {
      sr.outcome = timed(word, start);
      sr.mismatch = std::move(mismatch);
    };
    const bool is_exec = std::holds_alternative<Exec>(ps.action);
    if (!is_exec && (!slot || not_started_.contains(ps.side)))
      return end("error", who + " never started (see its exec step)");
    std::visit(
        overloaded{
            [&](const Exec& e) {
              now_doing(where_ + ": starting " + e.argv[0]);
              if (slot && !slot->status()) return end("error", who + " is still running: one program per side");
              try {
                live_.programs.push_back(std::make_unique<ProgramProcess>(ps.side, live_.topology.of(ps.side),
                                                                          substitute(e.argv), program_user(s_)));
              } catch (const ProgramNotStarted& failed) {  // the scenario's program, not the host, is at fault
                not_started_.insert(ps.side);
                return end("error", failed.what());
              }
              not_started_.erase(ps.side);
              output_from_[ps.side] = 0;
              end("ok");
            },
            [&](const Ready&) {
              now_doing(where_ + ": waiting for a socket listening on port " + std::to_string(r_.server_port));
              std::optional<SocketEntry> other_family;
              if (listening(ps.side, *slot, until, other_family)) return end("ok");
              end("timeout", "expected a socket listening on port " + std::to_string(r_.server_port) + " for " +
                                 (r_.family == Family::ipv4 ? "IPv4" : "IPv6") + " in the " + to_string(ps.side) + "'s namespace within " +
                                 std::to_string(ps.within.count()) + " ms vs " +
                                 (other_family ? "one on " + other_family->local + ", which takes " +
                                                     (other_family->ipv4 ? "IPv4" : "IPv6") + " only"
                                               : std::string("none")) +
                                 exited_note(*slot));
            },
            [&](const Output& o) {
              now_doing(where_ + ": waiting for " + who + " to print /" + o.pattern + "/");
              if (const auto i = slot->wait_line(std::regex(o.pattern), output_from_[ps.side], until)) {
                output_from_[ps.side] = *i + 1;
                return end("ok");
              }
              const auto lines = slot->record().lines;
              end("timeout", "expected " + who + " to print a line matching /" + o.pattern + "/ within " +
                                 std::to_string(ps.within.count()) + " ms vs " +
                                 (lines.empty() ? std::string("no output") : "last line '" + lines.back().text + "'") +
                                 exited_note(*slot));
            },
            [&](const SignalProgram& sig) {
              slot->signal(sig.number);
              end("ok");
            },
            [&](const ExitExpect& x) {
              now_doing(where_ + ": waiting for " + who + " to end");
              const auto status = slot->wait_exit(until);
              if (!status)
                return end("timeout", "expected " + who + " to end within " + std::to_string(ps.within.count()) +
                                          " ms vs still running");
              const bool as_expected = x.code    ? WIFEXITED(*status) && WEXITSTATUS(*status) == *x.code
                                       : x.signal ? WIFSIGNALED(*status) && WTERMSIG(*status) == *x.signal
                                                  : true;
              sr.outcome = timed("ok", start);
              sr.outcome->end = describe_status(*status);
              if (!as_expected) sr.mismatch = "expected " + who + " to end with " + x.text + " vs " + describe_status(*status);
            }},
        ps.action);
  }

  std::vector<std::string> substitute(std::vector<std::string> argv) const {
    // {server_host}: the address as a URL or host:port wants it ("[fd00::2]" in IPv6).
    const auto host = [&](const Host& h) {
      return r_.family == Family::ipv6 ? "[" + h.address_in(r_.family) + "]" : h.address_in(r_.family);
    };
    const std::map<std::string, std::string> values{{"{server}", kServerHost.address_in(r_.family)},
                                                    {"{client}", kClientHost.address_in(r_.family)},
                                                    {"{server_host}", host(kServerHost)},
                                                    {"{client_host}", host(kClientHost)},
                                                    {"{port}", std::to_string(r_.server_port)},
                                                    {"{dir}", std::filesystem::absolute(s_.file).parent_path().string()},
                                                    {"{out}", std::filesystem::absolute(r_.out_dir).string()}};
    for (auto& word : argv)
      for (const auto& [key, value] : values)
        for (std::size_t at; (at = word.find(key)) != std::string::npos;) word.replace(at, key.size(), value);
    return argv;
  }

  // sock_diag has no notification for listen(): this is the one wait that
  // looks again, every 5 ms, until the deadline or the program's end. A
  // listener of the other family only (an IPv4 socket in an IPv6 run) does
  // not count; `other_family` gets it.
  bool listening(Side side, const ProgramProcess& program, std::chrono::steady_clock::time_point until,
                 std::optional<SocketEntry>& other_family) {
    for (;;) {
      for (const auto& e : audit_sockets(live_.topology.of(side))) {
        if (e.state != "LISTEN" || e.local_port != r_.server_port) continue;
        if (r_.family == Family::ipv4 ? e.ipv4 : e.ipv6) return true;
        other_family = e;
      }
      if (program.status() || std::chrono::steady_clock::now() >= until) return false;
      interruptible_sleep(5ms);
    }
  }

  static std::string exited_note(const ProgramProcess& p) {
    const auto status = p.status();
    return status ? " (the program ended: " + describe_status(*status) + ")" : "";
  }

  const Scenario& s_;
  LiveRun& live_;
  RunResult& r_;
  Pending pending_;
  std::set<Side> crashed_;
  std::map<Side, std::size_t> output_from_;  // the first line an output step may match
  std::set<Side> not_started_;               // sides whose latest exec failed
  std::size_t i_ = 0;
  std::string where_;
};


// Both endpoints at rest with nothing between them: each namespace idle
// (activity_probe.hpp), every frame an endpoint sent read by the wire,
// every frame the wire sent received, none waiting out a delay.
struct AtRest {
  std::array<Activity, 2> sides;
  Wire::Traffic wire;
  bool operator==(const AtRest& o) const { return sides == o.sides && wire.read == o.wire.read && wire.sent == o.wire.sent; }
};

std::optional<AtRest> at_rest(const LiveRun& live) {
  AtRest look;
  for (std::size_t leg = 0; leg < 2; ++leg) look.sides[leg] = live.probes[leg].read();
  look.wire = live.wire.traffic();  // after the namespaces': a frame sent since is ahead of it
  if (look.wire.delayed) return std::nullopt;
  for (std::size_t leg = 0; leg < 2; ++leg) {
    const auto& a = look.sides[leg];
    if (!idle(a) || a.eth_tx != look.wire.read[leg] || a.eth_rx != look.wire.sent[leg]) return std::nullopt;
  }
  return look;
}

// Waits, after the last step, until the exchange is over: the run is at
// rest and stays so, unchanged, for kRestConfirmed (two looks: a segment
// taken in by IP whose answer is a few instructions from being sent is
// caught by the second). Where the kernel keeps working (retransmitting into
// a blackhole, a netem qdisc that drops or duplicates, which no counter can
// balance) or a user's program still runs (it acts on its own clock), the
// run ends as it always has: no sooner than kSettleAtLeast after the last
// step, once the wire has carried nothing for kQuietBeforeStop. kSettleLimit
// bounds both.
const char* settle(const LiveRun& live) {
  const bool programs_running = std::any_of(live.programs.begin(), live.programs.end(),
                                            [](const auto& p) { return !p->status(); });
  const auto started = std::chrono::steady_clock::now();
  const auto until = started + kSettleLimit;
  std::optional<AtRest> seen;
  auto seen_at = std::chrono::steady_clock::now();
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (!programs_running) {
      auto look = at_rest(live);
      if (look && seen && *look == *seen && now - seen_at >= kRestConfirmed) return "at rest";
      if (!look || !seen || !(*look == *seen)) seen_at = now;
      seen = std::move(look);
    }
    // As runs always ended: no sooner than kSettleAtLeast after the last step, once the wire is quiet.
    if (now - started >= kSettleAtLeast && live.wire.quiet_for() >= kQuietBeforeStop) return "wire quiet";
    if (now >= until) return "settle limit";
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

RunResult run_scenario(const Scenario& s, const RunOptions& o, const std::filesystem::path& out_dir,
                       bool another_follows) {
  RunResult r;
  r.scenario = &s;
  r.server_port = s.port;
  r.family = s.family.value_or(o.family);
  std::optional<PortReservation> port;
  r.out_dir = out_dir;
  r.start_mono_ns = mono_ns();
  r.realtime_offset_ns = protocol::now_ns(CLOCK_REALTIME) - r.start_mono_ns;
  std::string no_netem;
  if (s.needs_netem && !netem_available(&no_netem)) {
    r.verdict = Verdict::skipped;
    r.first_mismatch = "needs netem, which this kernel lacks (" + no_netem + "); `closepath doctor` says how to get it";
    return r;
  }
  RunWatchdog watchdog(o.stuck_after.value_or(run_limit(s)), out_dir);
  std::unique_ptr<LiveRun> live;
  try {
    now_doing("setting up (client port, namespaces, wire, kernel trace, peers)");
    // Each run of a process takes the next port on: a port comes round again
    // only after tens of thousands of runs.
    static int next_port = 20000 + static_cast<int>(getpid() % 40000);
    port.emplace(o.port ? PortReservation::exactly(o.port) : PortReservation::first_free(next_port));
    next_port = port->port() + 1;
    // The trace keeps this port's events from here on, not from the run's
    // start: the port's last holder (another process's run) may have been
    // tearing down until a moment ago, and everything it left fired its
    // events before it let the port go (its sockets are destroyed first).
    const auto port_held_from = mono_ns();
    r.client_port = port->port();
    live = std::make_unique<LiveRun>(s, o, r, another_follows);
    const auto played_from = mono_ns();
    r.setup_ms = ms_between(r.start_mono_ns, played_from);
    Player(s, *live, r).play();
    r.timeline_ms = ms_between(played_from, mono_ns());
    now_doing("waiting for the exchange to end (both endpoints at rest, or the wire quiet)");
    const auto settle_start = mono_ns();
    r.ended = settle(*live);
    r.settle_ms = ms_between(settle_start, mono_ns());
    // The audit runs while the peers still hold their sockets.
    now_doing("auditing the sockets left");
    for (Side side : {Side::client, Side::server}) r.leftovers[side] = audit_sockets(live->topology.of(side));
    if (live->trace) r.trace = live->trace->events(r.client_port, port_held_from);
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
  now_doing("tearing down");
  // Stop recording before the peers go: their exit would close sockets on the wire.
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
  Backstage::get().later([live = std::shared_ptr<LiveRun>(std::move(live)),
                          port = std::make_shared<std::optional<PortReservation>>(std::move(port))]() mutable {
    live.reset();
    port.reset();
  });
  std::stable_sort(r.frames.begin(), r.frames.end(),
                   [](const WireFrame& a, const WireFrame& b) { return a.frame.ts_ns < b.frame.ts_ns; });
  std::vector<pcap::Frame> frames;
  std::vector<FrameFacts> facts;
  for (const auto& f : r.frames) frames.push_back(f.frame), facts.push_back(facts_of(f));
  r.flow = pcap::track_flow(frames, kClientHost.address_in(r.family), true);
  annotate(r.flow, facts);
  r.inferred = pcap::infer_states(r.flow.packets, r.flow.incarnations);
  r.states = collect_states(r.trace, r.inferred, r.leftovers,
                            {kClientHost.address_in(r.family), kServerHost.address_in(r.family), r.client_port}, true,
                            &r.flow.packets, r.at_close);
  if (r.first_mismatch.empty()) judge(r);
  r.seconds = static_cast<double>(mono_ns() - r.start_mono_ns) / 1e9;
  if (r.setup_ms > 0) r.teardown_ms = r.seconds * 1000 - r.setup_ms - r.timeline_ms - r.settle_ms;
  return r;
}

}  // namespace closepath
