// The seam between the wire and its faults: the wire asks the program what
// to do with every frame it reads, and records the answer in the capture.
// This issue ships only PassThrough; drop/hold/delay/inject arrive as further
// implementations of this interface, without changes to the wire.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace closepath {

enum class Leg : std::uint8_t { client = 0, server = 1 };  // the leg a frame arrived on

struct WireDecision {
  bool forward = true;
  std::string note;  // what the fault did, for the capture comment ("" when nothing)
};

class FaultProgram {
 public:
  virtual ~FaultProgram() = default;
  // Called on the wire thread for every frame, in arrival order.
  virtual WireDecision on_frame(Leg from, std::span<const std::uint8_t> frame) = 0;
};

class PassThrough final : public FaultProgram {
 public:
  WireDecision on_frame(Leg, std::span<const std::uint8_t>) override { return {}; }
};

}  // namespace closepath
