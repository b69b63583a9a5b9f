#include "rig.hpp"

namespace closepath {
namespace {

std::unique_ptr<KernelTrace> start_trace(const std::optional<std::filesystem::path>& tracefs, std::string* why) {
  return tracefs ? KernelTrace::start(*tracefs, why) : nullptr;
}

}  // namespace

Rig::Rig(const std::optional<std::filesystem::path>& tracefs)
    : trace(start_trace(tracefs, &trace_unavailable)), wire(topology.wire(), faults) {}

}  // namespace closepath
