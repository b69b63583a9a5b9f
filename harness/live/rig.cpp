#include "rig.hpp"

namespace closepath {

Rig::Rig(const std::optional<std::filesystem::path>& tracefs)
    : trace_made(std::async(std::launch::async,
                            [this, tracefs]() -> std::shared_ptr<KernelTrace> {
                              return tracefs ? KernelTrace::shared(*tracefs, &trace_unavailable) : nullptr;
                            })),
      probes{ActivityProbe(topology.client()), ActivityProbe(topology.server())},
      wire(topology.wire(), faults),
      trace(trace_made.get()) {}

Rig::~Rig() {
  if (trace) trace_gone = std::async(std::launch::async, [last = std::move(trace)]() mutable { last.reset(); });
}

}  // namespace closepath
