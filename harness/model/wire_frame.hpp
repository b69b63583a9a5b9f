// One frame the wire saw, with what it did to it: a record, made by
// live/wire and written into the capture by verdict/report.
#pragma once

#include "segment.hpp"
#include "wire_effect.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace closepath {

// What a wire step's fault did to a frame, as a fact (the capture comment is
// written from the words; this is what counts and ladders read).
struct FaultMark {
  using Effect = pcap::WireEffect;
  Effect effect = Effect::dropped;
  std::size_t step = 0;  // the wire step's index (0-based)
  bool operator==(const FaultMark&) const = default;
};

struct WireFrame {
  pcap::Frame frame;         // frame.interface: 0 client leg, 1 server leg
  std::int64_t mono_ns = 0;  // CLOCK_MONOTONIC when read, comparable with peer times
  int step = -1;             // the step under way when the frame arrived (-1: none yet)
  bool forwarded = true;     // went on (now or later) toward its receiver
  bool injected = false;     // made by the wire; left by frame.interface's leg
  std::vector<FaultMark> marks;  // every fault that touched it
  std::string note;          // what the wire or a fault did
};

}  // namespace closepath
