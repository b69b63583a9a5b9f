#include "rig.hpp"

namespace closepath {

Rig::Rig(const std::optional<std::filesystem::path>& tracefs)
    : trace_made(std::async(std::launch::async,
                            [this, tracefs]() -> std::shared_ptr<KernelTrace> {
                              return tracefs ? KernelTrace::shared(*tracefs, &trace_unavailable) : nullptr;
                            })),
      probes{ActivityProbe(topology.client()), ActivityProbe(topology.server())},
      wire(topology.wire(), faults) {}

KernelTrace* Rig::await_trace() {
  if (trace_made.valid()) trace_ = trace_made.get();
  return trace_.get();
}

void Rig::let_trace_go() {
  await_trace();
  if (trace_) trace_gone = std::async(std::launch::async, [last = std::move(trace_)]() mutable { last.reset(); });
}

}  // namespace closepath
