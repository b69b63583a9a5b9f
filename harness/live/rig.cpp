#include "rig.hpp"

namespace closepath {

Rig::Rig(const std::optional<std::filesystem::path>& tracefs)
    : trace_made(std::async(std::launch::async,
                            [this, tracefs]() -> std::unique_ptr<KernelTrace> {
                              return tracefs ? KernelTrace::start(*tracefs, &trace_unavailable) : nullptr;
                            })),
      trace(trace_made.get()),
      wire(topology.wire(), faults) {}

}  // namespace closepath
