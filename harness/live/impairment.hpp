// One direction's `wire: impair`: what happens to each frame in turn, as
// netem decides it (harness/model/impair_model.hpp), drawn from generators
// seeded by the impairment's seed alone. Each kind of impairment (loss,
// duplicate, corrupt, reorder, delay) has a generator of its own, keyed by
// the seed and the direction, so its decisions depend only on the seed and
// on the frame's order in its direction since the step: a seed replays them
// whatever else the step names. Only `rate` reads the clock (a frame waits
// for the ones before it to be sent).
//
// Order, as netem's: duplicate and loss are drawn (a frame both duplicated
// and lost goes once); then corrupt (the original only); then reorder (sent
// at once) or delay, and rate; a copy takes a delay of its own.
#pragma once

#include "flow.hpp"
#include "impair_model.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>

namespace closepath {

// A stream of uniform draws in [0, 1) with netem's correlation (each draw
// is (1 - rho) * fresh + rho * the last one).
class Draws {
 public:
  Draws(std::uint64_t seed, std::uint64_t key);
  double uniform();  // fresh, uncorrelated
  double correlated(double rho);

 private:
  std::mt19937_64 gen_;  // its sequence is fixed by the C++ standard: the same on every library
  double last_ = 0;
};

struct ImpairDecision {
  bool lost = false;
  bool duplicated = false;
  bool reordered = false;
  std::optional<std::size_t> corrupt_byte;  // the byte flipped, from the frame's start
  int corrupt_bit = 0;
  std::int64_t delay_ns = 0;       // the original's, rate included
  std::int64_t copy_delay_ns = 0;  // the copy's, when duplicated
  std::string note;                // what was done and why, for the capture ("" when nothing)
};

class Impairment {
 public:
  // `label` names the step in notes ("step 5 wire impair c>s loss 10%").
  Impairment(const ImpairModel& model, std::uint64_t seed, pcap::Dir dir, std::string label);

  // The next frame in this direction: `length` its size, `checked_from`
  // where the part a checksum covers begins (a corrupt bit is flipped from
  // there on, so the receiver's checksum always drops it), `now_ns` when it
  // arrived (for rate).
  ImpairDecision next(std::size_t length, std::size_t checked_from, std::int64_t now_ns);

  std::uint64_t seed() const { return seed_; }
  const std::string& label() const { return label_; }

 private:
  bool lost(std::string& why);
  bool gilbert_elliott(std::string& why);
  std::int64_t delay();
  std::int64_t after_rate(std::int64_t now_ns, std::int64_t delay_ns, std::size_t length);
  std::string by() const;

  ImpairModel model_;
  std::uint64_t seed_;
  pcap::Dir dir_;
  std::string label_;
  Draws loss_, duplicate_, corrupt_, reorder_, delay_;
  std::uint64_t frame_ = 0;      // frames so far, this one included: "c>s #3" in notes
  bool bad_state_ = false;       // Gilbert-Elliott
  std::uint32_t since_reorder_ = 0;  // netem's counter: frames delayed since the last one sent at once
  std::int64_t rate_free_ns_ = 0;    // when the rate's link is free again
};

// A delay distribution's value at u (and u2, paretonormal's second draw),
// the jitter's multiplier: as iproute2's tables for netem shape them
// (normal: mean 0, standard deviation 1; pareto: shape 3 as (x - 1.5) * 4/3;
// paretonormal: a quarter normal plus three quarters pareto), bounded to ±4
// as those tables are; uniform: -1 to 1, the jitter its half-width.
double delay_quantile(DelayDistribution d, double u, double u2);

// Where a frame's checksummed part begins: after the Ethernet and IP
// headers (the TCP, UDP or ICMP header and payload), or after the Ethernet
// header for anything else.
std::size_t checksummed_from(std::span<const std::uint8_t> frame);

}  // namespace closepath
