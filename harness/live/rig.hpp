// What every run needs and no run may have used before it: the three
// namespaces joined by veth pairs (topology.hpp) and a wire forwarding
// between them under a fresh fault program; with them, the process's kernel
// trace instance (kernel_trace.hpp: shared, its events keyed by port). Nothing in
// it depends on a scenario (the scenario's sysctls come after, through
// Topology::configure), so the next run's rig can be built while the current
// run plays (backstage.hpp). Torn down in reverse order of construction.
#pragma once

#include "kernel_trace.hpp"
#include "scripted_faults.hpp"
#include "topology.hpp"
#include "wire.hpp"

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

  std::string trace_unavailable;
  // The first rig of a process makes the trace instance while the
  // namespaces are built: both wait for the kernel, neither for the other.
  std::future<std::shared_ptr<KernelTrace>> trace_made;
  Topology topology;
  std::shared_ptr<KernelTrace> trace;
  ScriptedFaults faults;
  Wire wire;
};

}  // namespace closepath
