#include "live_run.hpp"

#include "backstage.hpp"
#include "catalogue.hpp"
#include "errors.hpp"
#include "socket_audit.hpp"

namespace closepath {
namespace {

// How long a peer may take to start: its dynamic loading reads Boost and
// OpenSSL, slow through a qemu guest's 9p on a busy host.
constexpr std::chrono::milliseconds kPeerStartup{60000};

std::vector<std::string> peer_args(const Host& self, const Host& other, const RunResult& r, const char* role) {
  return {"--role", role, "--local", self.address_in(r.family), "--remote", other.address_in(r.family),
          "--port", std::to_string(r.server_port),
          "--client-port", std::to_string(r.client_port)};
}

}  // namespace

LiveRun::LiveRun(Backstage& backstage, const Scenario& s, const RunOptions& o, RunResult& r, bool another_follows)
    : rig(backstage.take(o.tracefs)),
      topology(rig->topology),
      faults(rig->faults),
      wire(rig->wire),
      reaper{topology},
      client((configure(s, r), topology.client()), "client", r.runtimes.at(Side::client),
             find_peer_program(self_dir(), r.runtimes.at(Side::client)), peer_args(kClientHost, kServerHost, r, "client")),
      server(topology.server(), "server", r.runtimes.at(Side::server), find_peer_program(self_dir(), r.runtimes.at(Side::server)),
             peer_args(kServerHost, kClientHost, r, "server")) {
  // Both start at once; the timeline waits until both read their channels.
  client.await_hello(kPeerStartup);
  server.await_hello(kPeerStartup);
  trace = rig->await_trace();
  if (!trace) r.trace_unavailable = o.tracefs ? rig->trace_unavailable : o.tracefs_unavailable;
  backstage.setup_done(o.tracefs, another_follows);
}

void LiveRun::configure(const Scenario& s, RunResult& r) {
  topology.configure(s.sysctl, s.rto_min);
  faults.set_seed(r.seed);
  // A program's connection picks its own port: give it only the run's, so
  // the kernel trace (keyed by that port) follows it.
  if (s.program_sides.contains(Side::client))
    write_sysctl(topology.client(), "net.ipv4.ip_local_port_range",
                 std::to_string(r.client_port) + " " + std::to_string(r.client_port));
}

ProgramProcess* LiveRun::program(Side side) const {
  for (auto it = programs.rbegin(); it != programs.rend(); ++it)
    if ((*it)->side() == side) return it->get();
  return nullptr;
}

LiveRun::SocketReaper::~SocketReaper() {
  for (Side side : {Side::client, Side::server}) try {
      destroy_sockets(topology.of(side));
    } catch (const HostError&) {
      // Nothing to report to at teardown; the namespace goes anyway.
    }
}

}  // namespace closepath
