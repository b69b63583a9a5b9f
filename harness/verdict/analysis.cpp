#include "analysis.hpp"

#include "judge.hpp"

namespace closepath {

void analyse(RunResult& r, const Addresses& at, const RecordedKernel* recorded) {
  r.inferred = pcap::infer_states(r.flow.packets, r.flow.incarnations);
  r.states = collect_states(r.trace, r.inferred, r.leftovers, at, r.audited, &r.flow.packets, r.at_close);
  if (recorded)
    for (const auto& [side, kernel] : recorded->states) {
      r.states[side].kernel = kernel;
      const auto from = recorded->from.find(side);
      r.states[side].kernel_from = from != recorded->from.end() && from->second.size() == kernel.size()
                                       ? from->second
                                       : std::vector<std::string>(kernel.size(), kFromTrace);
    }
  if (r.first_mismatch.empty()) judge(r);
}

}  // namespace closepath
