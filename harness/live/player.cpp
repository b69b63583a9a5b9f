#include "player.hpp"

#include "clock.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "netem.hpp"
#include "overloaded.hpp"
#include "run_files.hpp"
#include "socket_audit.hpp"
#include "states.hpp"
#include "tls_credentials.hpp"
#include "watchdog.hpp"

namespace closepath {
namespace {

using namespace std::chrono_literals;

// TLS setup loads a key and a certificate: no kernel timer, but slow under emulation (qemu/TCG, sanitizers).
constexpr auto kSetupLimit = 30s;

std::int64_t mono_ns() { return protocol::now_ns(); }

// The outcome of a step the runner itself carries out, timed from `start`.
protocol::Outcome timed(const char* end, std::int64_t start) {
  return {.end = end, .start_ns = start, .end_ns = mono_ns()};
}

// What the peer is sent for a step (never the runner's own: await and destroy are carried out here).
protocol::Command command(const PeerStep& ps) { return {.action = *command_action(ps.action), .within = ps.within}; }

void setup_tls(LiveRun& live, const TlsCredentials& creds) {
  for (Side side : {Side::client, Side::server}) {
    protocol::TlsSetup setup;
    if (side == Side::client) setup.ca_pem = creds.ca_pem;
    else setup.cert_pem = creds.server_cert_pem, setup.key_pem = creds.server_key_pem;
    const auto answer = live.peer(side).call({.action = setup, .within = kSetupLimit}, kSetupLimit);
    if (answer.end != protocol::end::ok)
      throw PeerError(to_string(side) + " peer: TLS setup failed: " + protocol::to_json(answer).dump());
  }
}

}  // namespace

// Before the first step: the credentials (for the peers, and as files for the
// programs when the scenario names them), then the files to render.
void Player::prepare() {
  std::filesystem::create_directories(r_.out_dir);
  const auto owner = program_user(s_);
  if (s_.uses_tls || s_.writes_credentials) {
    const auto creds = make_tls_credentials(kServerHost.address_in(r_.family));
    if (s_.writes_credentials) write_credentials(creds, r_.out_dir, owner);
    if (s_.uses_tls) setup_tls(live_, creds);
  }
  render_files(s_, programs_.placeholder_values(), owner);
}

void Player::play() {
  prepare();
  r_.steps.resize(s_.steps.size());
  for (std::size_t i = 0; i < s_.steps.size(); ++i) r_.steps[i].step = &s_.steps[i];
  for (i_ = 0; i_ < s_.steps.size(); ++i_) {
    check_interrupted();
    live_.wire.mark_step(static_cast<int>(i_));
    const Step& step = s_.steps[i_];
    where_ = "step " + std::to_string(i_ + 1) + " (" + step.text + ")";
    std::visit(overloaded{[&](const WaitStep& w) { pause(w); }, [&](const WireWait& w) { barrier(w); },
                          [&](const WireStep& w) { fault(w); }, [&](const PeerStep& p) { peer(p); },
                          [&](const ProgramStep& p) { programs_.run(p, i_, where_); }},
               step.what);
  }
  for (Side side : {Side::client, Side::server}) take_audit_after_close(side);
  // Background steps nobody awaited end with the timeline.
  now_doing("collecting the background steps nobody awaited");
  for (Side side : {Side::client, Side::server})
    while (!pending_[side].empty()) collect(side);
}

void Player::pause(const WaitStep& wait) {
  const auto start = mono_ns();
  now_doing(where_ + ": pausing");
  interruptible_sleep(wait.duration);
  result().outcome = timed(protocol::end::ok, start);
}

void Player::barrier(const WireWait& barrier) {
  auto& sr = result();
  const auto start = mono_ns();
  const std::size_t from = barrier.next ? live_.faults.handled() : 0;
  now_doing(where_ + ": waiting for the wire to carry it");
  const auto seen = live_.faults.wait_for(barrier.match, barrier.count, from, barrier.within, [] { return interrupted(); });
  check_interrupted();
  sr.outcome = timed(seen >= barrier.count ? protocol::end::ok : protocol::end::timeout, start);
  sr.seen = seen;
}

void Player::fault(const WireStep& ws) {
  auto& sr = result();
  const auto start = mono_ns();
  now_doing(where_ + ": applying the fault");
  // netem is tc's; the exact program still learns of it, to annotate the frames it may change.
  if (const auto* netem = std::get_if<Netem>(&ws.action)) apply_netem(live_.topology.wire(), *netem);
  if (auto failed = live_.faults.apply(ws.action, i_, "step " + std::to_string(i_ + 1) + " " + s_.steps[i_].text))
    sr.problem = RunnerError{std::move(*failed)};
  live_.wire.sync();
  sr.outcome = timed(sr.problem ? protocol::end::error : protocol::end::ok, start);
}

std::size_t Player::collect(Side side) {
  const auto [index, id] = pending_[side].front();
  pending_[side].pop_front();
  const auto& ps = std::get<PeerStep>(s_.steps[index].what);
  r_.steps[index].outcome = live_.peer(side).await(id, ps.within + kAnswerGrace);
  return index;
}

void Player::peer(const PeerStep& ps) {
  auto& sr = result();
  now_doing(where_ + ": waiting for the " + to_string(ps.side) + " peer's answer");
  const auto background = pending_.find(ps.side);
  if (auto why = preconditions_.blocks(ps, r_.steps, background != pending_.end() && !background->second.empty())) {
    sr.problem = std::move(why);  // no outcome: it never ran
    return;
  }
  preconditions_.ran(i_, ps);
  const auto start = mono_ns();
  std::visit(overloaded{[&](const Await&) {
                          const auto awaited = collect(ps.side);
                          sr.outcome = timed(protocol::end::ok, start);
                          sr.awaited_step = awaited + 1;
                        },
                        [&](const Crash&) {
                          while (!pending_[ps.side].empty()) collect(ps.side);
                          sr.outcome = live_.peer(ps.side).crash(ps.within + kAnswerGrace);
                          sr.outcome->start_ns = start;
                          sr.outcome->end_ns = mono_ns();
                          audit_after_close(ps.side);
                        },
                        [&](const Destroy&) { destroy(ps, start); },
                        [&](const auto&) { peer_command(ps); }},
             ps.action);
}

// The side's connection, by its ports; its pending steps go on and meet what it did.
void Player::destroy(const PeerStep& ps, std::int64_t start) {
  auto& sr = result();
  const bool client = ps.side == Side::client;
  try {
    destroy_connection(live_.topology.of(ps.side), client ? r_.client_port : r_.server_port,
                       client ? r_.server_port : r_.client_port);
    sr.outcome = timed(protocol::end::ok, start);
  } catch (const HostError& e) {
    sr.outcome = timed(protocol::end::error, start);
    sr.problem = RunnerError{"could not destroy the " + to_string(ps.side) + "'s connection: " + e.what()};
  }
}

void Player::peer_command(const PeerStep& ps) {
  auto& sr = result();
  if (ps.background) {
    pending_[ps.side].emplace_back(i_, live_.peer(ps.side).send(command(ps)));
    sr.outcome = protocol::Outcome{.end = protocol::end::pending};
    return;
  }
  sr.outcome = live_.peer(ps.side).call(command(ps), ps.within + kAnswerGrace);
  if (std::holds_alternative<Close>(ps.action) || std::holds_alternative<Shutdown>(ps.action)) audit_after_close(ps.side);
}

// The side's connection socket just after its application closed it: the state close() set, which a
// timer may end before the final audit (an orphan reaped behind a zero window) and no packet shows.
void Player::audit_after_close(Side side) {
  take_audit_after_close(side);
  const auto& probe = live_.probe(side);
  after_close_[side] = std::async(std::launch::async, [&probe] { return probe.sockets(); });
}

void Player::take_audit_after_close(Side side) {
  auto pending = after_close_.find(side);
  if (pending == after_close_.end() || !pending->second.valid()) return;
  const auto sockets = pending->second.get();
  for (const auto& e : sockets)
    if (is_connection_socket(side, e, r_.client_port)) {
      r_.at_close[side] = e;
      return;
    }
  r_.at_close.erase(side);
}

}  // namespace closepath
