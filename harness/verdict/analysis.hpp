// The one pipeline from a run's records to its verdict, for a live run and
// for `closepath check` of a capture alike: the states the capture shows,
// each side's states from every source (trace, audit, capture), then the
// judge. What differs is only where the records came from.
#pragma once

#include "run_result.hpp"
#include "states.hpp"

#include <map>
#include <string>
#include <vector>

namespace closepath {

// Kernel states a capture's run facts carry, standing for the trace a
// live run had: each side's sequence and where each state came from.
struct RecordedKernel {
  std::map<Side, std::vector<std::string>> states, from;
};

// Reads r.flow, r.trace, r.leftovers, r.audited and r.at_close; fills
// r.inferred, r.states, then the verdict (unless a run error already set one).
void analyse(RunResult& r, const Addresses& at, const RecordedKernel* recorded = nullptr);

}  // namespace closepath
