// The wire: a user-space forwarder between the two legs of the wire
// namespace. One libpcap handle per leg (immediate mode, inbound only) reads
// each frame, the fault program decides, and pcap_inject writes it out of the
// other leg. Every frame is recorded exactly once, as it arrived.
//
// Threads: the forwarder runs on its own thread, which joins the wire
// namespace; the owner only calls mark_step(), quiet_for() and stop().
#pragma once

#include "fault_program.hpp"
#include "netns.hpp"
#include "segment.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace closepath {

struct WireFrame {
  pcap::Frame frame;         // frame.interface: 0 client leg, 1 server leg
  std::int64_t mono_ns = 0;  // CLOCK_MONOTONIC when read, comparable with peer times
  int step = -1;             // the step under way when the frame arrived (-1: none yet)
  bool forwarded = true;
  std::string note;          // what the wire or a fault did
};

class Wire {
 public:
  // Opens both legs inside `ns` and starts forwarding; throws HostError.
  Wire(const NetNamespace& ns, FaultProgram& faults);
  Wire(const Wire&) = delete;
  Wire& operator=(const Wire&) = delete;
  ~Wire();

  void mark_step(int step) { step_.store(step); }
  // Time since the last frame (or since start when none came).
  std::chrono::nanoseconds quiet_for() const;
  // Stops forwarding and recording; returns every frame seen. Idempotent.
  std::vector<WireFrame> stop();

 private:
  void run(const NetNamespace& ns, std::promise<void>& ready);

  FaultProgram& faults_;
  std::atomic<int> step_{-1};
  std::atomic<std::int64_t> last_frame_ns_;
  int stop_fd_ = -1;
  std::mutex mutex_;
  std::vector<WireFrame> frames_;
  std::thread thread_;
};

}  // namespace closepath
