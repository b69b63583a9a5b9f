// What every run needs and no run may have used before it: the three
// namespaces joined by veth pairs (topology.hpp) and a wire forwarding
// between them under a fresh fault program; with them, the process's kernel
// trace instance (kernel_trace.hpp: shared, its events keyed by port). Nothing in
// it depends on a scenario (the scenario's sysctls come after, through
// Topology::configure), so the next run's rig can be built while the current
// run plays (backstage.hpp). Torn down in reverse order of construction.
#pragma once

#include "activity_probe.hpp"
#include "kernel_trace.hpp"
#include "scripted_faults.hpp"
#include "topology.hpp"
#include "wire.hpp"

#include <array>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>

namespace closepath {

struct Rig {
  // Throws HostError.
  explicit Rig(const std::optional<std::filesystem::path>& tracefs);
  Rig(const Rig&) = delete;
  Rig& operator=(const Rig&) = delete;
  ~Rig() { let_trace_go(); }

  // The trace instance, once made; null without `tracefs` or when tracing
  // fails, and then `trace_unavailable` says why. The first rig of a
  // process makes the instance while the namespaces and the wire are built
  // and the run's peers start: each waits for the kernel (the instance's
  // clock, the wire's packet rings: an RCU grace period each), none for
  // another. A run awaits it once its peers have said hello.
  KernelTrace* await_trace();
  // Drops the rig's reference to the instance. When it was the last (the
  // process's last run, once it has read its events), the instance goes
  // on a thread of its own while the rest is torn down: removing it waits
  // for RCU grace periods, as the wire's legs do when they close.
  void let_trace_go();

  std::future<void> trace_gone;  // destroyed last: waits for the instance
  std::string trace_unavailable;
  std::future<std::shared_ptr<KernelTrace>> trace_made;
  Topology topology;
  // The client's, the server's: is the exchange over? Opened with the
  // namespaces (each joins its namespace on a thread of its own).
  std::array<ActivityProbe, 2> probes;
  ScriptedFaults faults;
  Wire wire;

 private:
  std::shared_ptr<KernelTrace> trace_;
};

}  // namespace closepath
