// The seam between the wire and its faults: the wire asks the program what
// to do with every frame it reads and records the answer in the capture; it
// also collects work no frame caused (injections, releases) after each step.
// The wire owns the queues (delayed and held frames); the program decides.
#pragma once

#include "flow.hpp"
#include "frame_notes.hpp"
#include "wire_frame.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace closepath {


// Frames are named by the way they travel (pcap::Dir): a c>s frame arrives
// on the client's leg and leaves by the server's.
struct Injection {
  pcap::Dir travels = pcap::Dir::c2s;  // c>s: toward the server
  std::vector<std::uint8_t> frame;
  FaultMark mark;
  std::string note;
};

struct WireDecision {
  enum class Action { forward, drop, delay, hold } action = Action::forward;
  // delay: how late it goes on; hold: the delay it still takes once released
  // (a hold set while a delay is on holds, then the path's delay applies).
  std::chrono::nanoseconds delay{0};
  int hold = -1;                      // for hold: the queue it joins
  std::vector<int> release;           // hold queues to release once this frame is handled
  std::vector<FaultMark> marks;       // the faults that took it, by step
  std::string note;                   // what a fault did, for the capture ("" when nothing)
  std::optional<Injection> copy;      // forward, delay: a copy the wire sends right behind it (duplicate)
  std::chrono::nanoseconds copy_delay{0};  // how late the copy goes on (impair: a delay of its own)
  std::optional<std::vector<std::uint8_t>> bytes;  // what goes on instead of the frame as it arrived (corrupt)
};

struct WireWork {
  std::vector<Injection> inject;
  std::vector<int> release;  // hold queues to release now (what their `until` waited for has passed)
  bool release_all = false;  // release, heal: every held frame
  std::size_t release_oldest = 0;  // release N: the N oldest held frames, whichever hold holds them
  std::optional<FaultMark> released;  // marks the frames a release or heal lets go
};

class FaultProgram {
 public:
  virtual ~FaultProgram() = default;
  // Called on the wire thread for every frame, in arrival order.
  virtual WireDecision on_frame(pcap::Dir travels, std::span<const std::uint8_t> frame) = 0;
  // Called on the wire thread when woken and between frames.
  virtual WireWork take_work() = 0;
  // Called on the wire thread once it has sent (or failed to send) the
  // frames take_work() gave it to inject: barriers may now count them.
  virtual void injected(const std::vector<Injection>&) {}
  // Called on the wire thread once the frame on_frame() decided on has been
  // sent on (or queued, or dropped): barriers may now count it.
  virtual void frame_handled() {}
  // Called on the wire thread when the run is interrupted or stuck: waits
  // on the program (barriers) re-check their stop condition.
  virtual void wake_waiters() {}
};

}  // namespace closepath
