#include "rig.hpp"

namespace closepath {

Rig::Rig(const std::optional<std::filesystem::path>& tracefs)
    : trace_made(std::async(std::launch::async,
                            [this, tracefs]() -> std::shared_ptr<KernelTrace> {
                              return tracefs ? KernelTrace::shared(*tracefs, &trace_unavailable) : nullptr;
                            })),
      trace(trace_made.get()),
      wire(topology.wire(), faults) {}

}  // namespace closepath
