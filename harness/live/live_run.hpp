// Everything live during one run: the rig (namespaces, wire, trace), the
// two peers, the user's programs; torn down in reverse order of construction.
#pragma once

#include "activity_probe.hpp"
#include "peer_process.hpp"
#include "program_process.hpp"
#include "rig.hpp"
#include "run_result.hpp"
#include "runner.hpp"

#include <array>
#include <memory>
#include <vector>

namespace closepath {

class Backstage;

struct LiveRun {
  LiveRun(Backstage& backstage, const Scenario& s, const RunOptions& o, RunResult& r, bool another_follows);

  PeerProcess& peer(Side s) { return s == Side::client ? client : server; }
  const ActivityProbe& probe(Side s) const { return rig->probes[s == Side::client ? 0 : 1]; }
  // The side's latest program (the one its steps address), or null.
  ProgramProcess* program(Side side) const;

  std::unique_ptr<Rig> rig;
  Topology& topology;
  KernelTrace* trace = nullptr;  // null: states come from the capture only (set once the peers said hello)
  ScriptedFaults& faults;
  Wire& wire;
  // Destroyed after the peers and programs (declared before them): the
  // sockets their exit left (orphans, TIME_WAIT) go before the namespaces
  // do, so none outlives the run, to fire trace events under its port later.
  struct SocketReaper {
    Topology& topology;
    ~SocketReaper();
  } reaper;
  PeerProcess client, server;
  // What exec started, in order; all of them are ended at teardown.
  std::vector<std::unique_ptr<ProgramProcess>> programs;

 private:
  // What the scenario sets on the rig, before any peer starts.
  void configure(const Scenario& s, RunResult& r);
};

}  // namespace closepath
