// The ladder diagram: a time-ordered client | wire | server view of a run or
// of any capture, 80 columns wide. Packets are arrows (what the wire did to
// them in the middle: X dropped or corrupted, H held, D delayed, R reordered,
// * injected), steps and their outcomes sit on their side, state changes
// under the packet that caused them. The packet of the first mismatch is marked with "!!".
#pragma once

#include "flow.hpp"
#include "state_inference.hpp"

#include <optional>
#include <string>
#include <vector>

namespace closepath {

struct LadderStep {
  std::int64_t t_ns = 0;
  enum class Where { client, server, middle } where = Where::middle;
  std::string text;  // "[7] close -> ok"
  bool bad = false;  // its outcome was not the expected one
};

struct LadderInput {
  std::vector<pcap::FlowPacket> packets;  // mono_ns is the time axis
  std::vector<LadderStep> steps;
  pcap::InferredStates states;            // changes point into packets
  std::optional<std::size_t> marked;      // index into packets
  std::int64_t t0_ns = 0;
  bool colour = false;
};

std::string render_ladder(const LadderInput& in);

}  // namespace closepath
