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
  // Throws HostError. Without `tracefs`, or when tracing fails, `trace` is
  // null and `trace_unavailable` says why.
  explicit Rig(const std::optional<std::filesystem::path>& tracefs);
  Rig(const Rig&) = delete;
  Rig& operator=(const Rig&) = delete;
  // When this rig holds the trace instance's last reference (the process's
  // last run), the instance goes while the wire's legs close: each waits
  // for RCU grace periods, neither for the other.
  ~Rig();

  std::future<void> trace_gone;  // destroyed last: waits for the instance
  std::string trace_unavailable;
  // The first rig of a process makes the trace instance while the
  // namespaces and the wire are built: all wait for the kernel (the
  // instance's clock and the wire's packet rings each an RCU grace period),
  // none for another.
  std::future<std::shared_ptr<KernelTrace>> trace_made;
  Topology topology;
  // The client's, the server's: is the exchange over? Opened with the
  // namespaces (each joins its namespace on a thread of its own).
  std::array<ActivityProbe, 2> probes;
  ScriptedFaults faults;
  Wire wire;
  std::shared_ptr<KernelTrace> trace;  // awaited last
};

}  // namespace closepath
