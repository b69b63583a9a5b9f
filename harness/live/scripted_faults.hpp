// The exact fault program: rules set by the scenario's wire steps, consulted
// for every frame. Its packets come from the same builder as the judge's
// (pcap/flow_builder.hpp), so a pattern in a fault or a barrier means what
// it means in `expect`. It also tracks the connection from the frames it
// lets through, so an injected RST can carry exactly the receiver's RCV.NXT.
//
// Which rule takes a frame: a blackhole or drop first (in the order they
// were set), then a hold, then a delay; a frame held while a delay is on
// takes the delay once released.
//
// Threads: apply() runs on the runner's thread, on_frame()/take_work() on the
// wire's; one mutex guards the rules and the tracked flow.
#pragma once

#include "fault_program.hpp"
#include "flow_builder.hpp"
#include "frame_builder.hpp"
#include "impairment.hpp"
#include "scenario.hpp"

#include <array>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

namespace closepath {

class ScriptedFaults final : public FaultProgram {
 public:
  // `step` is the wire step's index; `label` names the fault in the capture
  // ("step 5 wire blackhole both"). nullopt, or why the action cannot be
  // done (an inject before any connection).
  std::optional<std::string> apply(const WireAction& action, std::size_t step, const std::string& label);

  // The run's seed: an impairment without a `seed` of its own draws from it.
  void set_seed(std::uint64_t seed);

  WireDecision on_frame(pcap::Dir travels, std::span<const std::uint8_t> frame) override;
  WireWork take_work() override;
  void injected(const std::vector<Injection>& frames) override;
  void frame_handled() override;
  void wake_waiters() override;

  // How many frames the wire has handled so far: a barrier's `from`.
  std::size_t handled();
  // Blocks until the wire has handled `count` frames matching `match` since
  // the `from`th frame (0: since the run began), or `limit` passed, or `stop()`
  // returns true (checked when woken: by a frame, or by wake_waiters()).
  // Returns how many matched.
  template <typename Stop>
  std::size_t wait_for(const pcap::PacketPattern& match, std::size_t count, std::size_t from, std::chrono::milliseconds limit,
                       Stop stop);

 private:
  struct Rule {
    enum class Kind { blackhole, drop, hold, delay, duplicate } kind = Kind::blackhole;
    Dirs dirs = Dirs::both;
    std::optional<pcap::PacketPattern> match{};
    std::optional<pcap::PacketPattern> until{};
    std::size_t left = 0;  // drop, duplicate: how many more
    std::chrono::nanoseconds delay{0};
    int hold = -1;
    std::size_t step = 0;
    std::string label{};
  };
  // What the wire has let through of one direction (absolute numbers).
  struct Tracked {
    bool seen = false, based = false;
    std::uint32_t isn = 0, snd_nxt = 0, ack = 0;
    std::uint32_t fin_end = 0;  // absolute seq + 1 of its FIN, 0 before one
    std::uint16_t win = 0;      // the window of its last segment
    std::uint32_t ts_val = 0;   // the TSval of its last segment that had one
    std::array<std::uint8_t, 6> mac{};
    std::string ip;
    std::uint16_t port = 0;
  };

  void track(pcap::Dir dir, std::span<const std::uint8_t> frame, const pcap::Segment& seg);
  std::optional<pcap::FlowPacket> number(pcap::Dir dir, const std::optional<pcap::Segment>& seg);
  void release_holds(const std::optional<pcap::FlowPacket>& packet, WireDecision& d);
  Rule* taker(pcap::Dir dir, const std::optional<pcap::FlowPacket>& packet);
  void take(Rule& r, pcap::Dir dir, WireDecision& d);
  // A frame going on now that a duplicate rule names: d.copy follows it.
  void duplicate(pcap::Dir dir, std::span<const std::uint8_t> frame, const pcap::FlowPacket& packet, WireDecision& d);
  // The impairment on this direction, after the exact faults: what it does to a frame they let go on.
  void impair(pcap::Dir dir, std::span<const std::uint8_t> frame, WireDecision& d);
  void set_impairment(const Impair& a, std::size_t step, const std::string& label);
  void set_delay(const Delay& a, std::size_t step, const std::string& label);
  std::optional<Injection> rst_toward(Side end, bool exact, std::size_t step, const std::string& label);
  std::optional<Injection> segment(const InjectedSegment& seg, std::size_t step, const std::string& label);
  std::optional<std::string> inject(const Inject& a, std::size_t step, const std::string& label);
  pcap::TcpFrameSpec spec_between(const Tracked& from, const Tracked& to) const;

  std::size_t matching(const pcap::PacketPattern& match, std::size_t from) const;  // among the handled frames; mutex_ held

  std::mutex mutex_;
  std::condition_variable handled_cv_;
  // The run's connection, numbered as the judge numbers it; the client's
  // address comes from the first frame (c>s: its source).
  std::optional<pcap::LiveFlow> flow_;
  std::vector<std::optional<pcap::FlowPacket>> seen_;  // every frame and injection (nullopt: not the connection's TCP)
  std::size_t handled_ = 0;                           // how many of seen_ the wire has handled
  std::vector<Rule> rules_;
  std::array<Tracked, 2> sides_{};  // indexed by pcap::index of the sending direction
  WireWork work_;
  int next_hold_ = 0;
  // The netem qdisc on each direction's egress, as its step wrote it: it acts
  // after the capture point, so each frame it may have delayed, lost,
  // duplicated or reordered says so in its comment.
  struct NetemOn {
    std::size_t step = 0;
    std::string note;
  };
  std::array<std::optional<NetemOn>, 2> netem_{};
  // `wire: impair`, by direction: the wire's own impairment and its step.
  struct ImpairOn {
    Impairment impairment;
    std::size_t step = 0;
  };
  std::array<std::optional<ImpairOn>, 2> impair_{};
  std::uint64_t seed_ = 0;
};

template <typename Stop>
std::size_t ScriptedFaults::wait_for(const pcap::PacketPattern& match, std::size_t count, std::size_t from,
                                     std::chrono::milliseconds limit, Stop stop) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto n = matching(match, from);
    if (n >= count || std::chrono::steady_clock::now() >= deadline || stop()) return n;
    handled_cv_.wait_until(lock, deadline);  // woken by each handled frame and by wake_waiters()
  }
}

}  // namespace closepath
