// The wire: a user-space forwarder between the two legs of the wire
// namespace. One libpcap handle per leg (immediate mode, inbound only) reads
// each frame, the fault program decides (forward, drop, delay, hold), and
// pcap_inject writes it out of the other leg. Every frame is recorded exactly
// once, as it arrived, with what was done to it; frames the program injects
// are recorded on the leg they leave by.
//
// Threads: the forwarder runs on its own thread, which joins the wire
// namespace; the owner calls mark_step(), sync(), quiet_for() and stop().
#pragma once

#include "fault_program.hpp"
#include "held_queues.hpp"
#include "netns.hpp"
#include "unique_fd.hpp"
#include "segment.hpp"
#include "wire_frame.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <ctime>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace closepath {


class Wire {
 public:
  // Opens both legs inside `ns` and starts forwarding; throws HostError.
  Wire(const NetNamespace& ns, FaultProgram& faults);
  Wire(const Wire&) = delete;
  Wire& operator=(const Wire&) = delete;
  ~Wire();

  void mark_step(int step) { step_.store(step); }
  // Returns once the wire has carried out the fault program's pending work
  // (injections, releases), so the next step sees its effect.
  void sync();
  // Time since the last frame (or since start when none came).
  std::chrono::nanoseconds quiet_for() const;
  // What has crossed the wire, by leg (0: the client's, 1: the server's):
  // frames read from the leg and fully handled (forwarded, dropped, queued),
  // frames sent out of it, and frames waiting out a delay. With the
  // endpoints' own interface counters this says whether anything is in flight.
  struct Traffic {
    std::array<std::uint64_t, 2> read{}, sent{};
    std::size_t delayed = 0;
  };
  Traffic traffic() const;
  // Stops forwarding and recording; returns every frame seen. Idempotent.
  // The legs close after it returns (the destructor waits for that).
  std::vector<WireFrame> stop();

 private:
  struct Queued {
    std::vector<std::uint8_t> bytes;
    pcap::Dir travels;
    std::size_t record;      // index into frames_
    std::int64_t due_ns = 0; // delayed: when it goes on; held: when it was held
    std::int64_t delay_ns = 0;  // held: the delay it takes once released
  };

  void run(const NetNamespace& ns, std::promise<void>& ready);
  void forward();  // until stop()
  void finish();   // marks what never left, then lets stop() return
  void on_frame(pcap::Dir travels, std::int64_t ts_ns, std::span<const std::uint8_t> bytes);
  std::size_t record(WireFrame f);
  void send(pcap::Dir travels, std::span<const std::uint8_t> bytes, std::size_t record_index);
  // Sends a held frame on (or into its delay), saying so in its record.
  void let_go(Queued q, std::int64_t now, const std::optional<FaultMark>& mark);
  void release(int hold, const std::optional<FaultMark>& mark);
  void release_oldest(std::size_t n, const std::optional<FaultMark>& mark);
  void do_work();
  // Records a frame the wire makes (injected), stamped `ts_ns` (the capture's
  // clock; default now); its record's index.
  std::size_t record_injection(const Injection& inj, std::optional<std::int64_t> ts_ns = std::nullopt);
  // Records a frame the wire makes (injected) and sends it.
  void inject(const Injection& inj);
  void delay(Queued q, std::int64_t due_ns);
  void flush_delayed(std::int64_t now);
  std::optional<timespec> poll_timeout(std::int64_t now) const;  // until the next delayed frame is due; nullopt: none

  FaultProgram& faults_;
  std::atomic<int> step_{-1};
  std::atomic<std::int64_t> last_frame_ns_;
  std::array<std::atomic<std::uint64_t>, 2> read_{}, sent_{};  // see traffic()
  std::atomic<std::size_t> delayed_count_{0};
  UniqueFd wake_fd_;  // an eventfd: sync() and stop() wake the loop with it
  // libpcap's handles, valid on the wire thread while it runs (opaque here:
  // libpcap's global `struct pcap` would clash with closepath::pcap).
  struct Legs;
  std::unique_ptr<Legs> legs_;
  std::array<std::deque<Queued>, 2> delayed_;  // per direction (pcap::index), each in due order
  HeldQueues<Queued> held_;
  mutable std::mutex mutex_;       // guards frames_
  std::vector<WireFrame> frames_;
  std::mutex sync_mutex_;
  std::condition_variable sync_cv_;
  std::uint64_t sync_requested_ = 0, sync_done_ = 0;
  bool stop_requested_ = false;  // guarded by sync_mutex_
  bool finished_ = false;        // every frame recorded; guarded by sync_mutex_
  std::thread thread_;
};

}  // namespace closepath
