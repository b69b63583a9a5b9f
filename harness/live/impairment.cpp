#include "impairment.hpp"

#include "frame_notes.hpp"

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace closepath {
namespace {

// splitmix64's finaliser: one seed becomes unrelated keys for each generator.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

enum Stream : std::uint64_t { kLoss = 1, kDuplicate, kCorrupt, kReorder, kDelay };
std::uint64_t key(pcap::Dir dir, Stream s) { return (dir == pcap::Dir::c2s ? 0x100 : 0x200) + s; }

std::string draw_text(double draw, const char* op, double p) {
  char text[64];
  std::snprintf(text, sizeof text, "draw %.4f %s %.4f", draw, op, p);
  return text;
}

constexpr double kTableBound = 4.0;  // netem's tables hold values within ±4 standard deviations

double normal_quantile(double u) {
  static const boost::math::normal unit;
  return boost::math::quantile(unit, std::clamp(u, 1e-12, 1 - 1e-12));
}

// Pareto with shape 3, as iproute2's pareto table has it: (x - 1.5) * 4/3.
double pareto_quantile(double u) {
  const double x = std::pow(1 - std::clamp(u, 0.0, 1 - 1e-12), -1.0 / 3.0);
  return std::min((x - 1.5) * 4.0 / 3.0, kTableBound);
}

}  // namespace

Draws::Draws(std::uint64_t seed, std::uint64_t key) : gen_(mix(seed ^ mix(key))) {}

double Draws::uniform() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }

double Draws::correlated(double rho) {
  const double fresh = uniform();
  if (rho == 0) return fresh;
  last_ = (1 - rho) * fresh + rho * last_;
  return last_;
}

double delay_quantile(DelayDistribution d, double u, double u2) {
  double z = 0;
  switch (d) {
    case DelayDistribution::uniform: return 2 * u - 1;
    case DelayDistribution::normal: z = normal_quantile(u); break;
    case DelayDistribution::pareto: z = pareto_quantile(u); break;
    case DelayDistribution::paretonormal:  // iproute2's table: a quarter normal plus three quarters pareto
      z = 0.25 * normal_quantile(u2) + 0.75 * pareto_quantile(u);
      break;
  }
  return std::clamp(z, -kTableBound, kTableBound);
}

std::size_t checksummed_from(std::span<const std::uint8_t> frame) {
  constexpr std::size_t kEthernet = 14;
  if (frame.size() <= kEthernet) return std::min(frame.size(), kEthernet);
  const unsigned type = (unsigned{frame[12]} << 8) | frame[13];
  std::size_t ip = 0;
  if (type == 0x0800) ip = std::size_t{frame[kEthernet] & 0x0fu} * 4;
  else if (type == 0x86dd) ip = 40;
  return std::min(frame.size() - 1, kEthernet + ip);
}

Impairment::Impairment(const ImpairModel& model, std::uint64_t seed, pcap::Dir dir, std::string label)
    : model_(model),
      seed_(seed),
      dir_(dir),
      label_(std::move(label)),
      loss_(seed, key(dir, kLoss)),
      duplicate_(seed, key(dir, kDuplicate)),
      corrupt_(seed, key(dir, kCorrupt)),
      reorder_(seed, key(dir, kReorder)),
      delay_(seed, key(dir, kDelay)) {}

std::string Impairment::by() const {
  return "by impair '" + label_ + "' (seed " + std::to_string(seed_) + ", " + pcap::to_string(dir_) + " #" + std::to_string(frame_);
}

bool Impairment::gilbert_elliott(std::string& why) {
  const auto& g = *model_.loss->gemodel;
  const bool was_bad = bad_state_;
  const double move = loss_.uniform(), lose = loss_.uniform();
  bad_state_ = was_bad ? move >= g.r : move < g.p;
  const double p = was_bad ? g.loss_bad : g.loss_good;
  why = std::string(was_bad ? "bad" : "good") + " state, " + draw_text(lose, "<", p);
  return lose < p;
}

bool Impairment::lost(std::string& why) {
  if (!model_.loss) return false;
  if (model_.loss->gemodel) return gilbert_elliott(why);
  const auto& c = *model_.loss->random;
  const double draw = loss_.correlated(c.correlation);
  why = draw_text(draw, "<", c.p);
  return draw < c.p;
}

std::int64_t Impairment::delay() {
  if (!model_.delay) return 0;
  const auto& d = *model_.delay;
  if (d.jitter_ns == 0) return d.mean_ns;
  const double u = delay_.correlated(d.correlation);
  const double u2 = d.distribution == DelayDistribution::paretonormal ? delay_.uniform() : 0;
  const double ns = static_cast<double>(d.mean_ns) + static_cast<double>(d.jitter_ns) * delay_quantile(d.distribution, u, u2);
  return std::max<std::int64_t>(0, std::llround(ns));
}

// netem's rate: a frame leaves once the frames before it have, taking its own length's time on the link.
std::int64_t Impairment::after_rate(std::int64_t now_ns, std::int64_t delay_ns, std::size_t length) {
  if (!model_.rate_bits_per_s) return delay_ns;
  const auto on_link = static_cast<std::int64_t>(static_cast<double>(length) * 8e9 / static_cast<double>(*model_.rate_bits_per_s));
  const std::int64_t leaves = std::max(now_ns + delay_ns, rate_free_ns_) + on_link;
  rate_free_ns_ = leaves;
  return leaves - now_ns;
}

ImpairDecision Impairment::next(std::size_t length, std::size_t checked_from, std::int64_t now_ns) {
  ++frame_;
  ImpairDecision d;
  auto say = [&](const std::string& part) { d.note += (d.note.empty() ? "" : "; ") + part; };
  std::string why;
  d.duplicated = model_.duplicate && duplicate_.correlated(model_.duplicate->correlation) < model_.duplicate->p;
  const bool lost = this->lost(why);
  if (lost && !d.duplicated) {
    d.lost = true;
    say("lost " + by() + ", " + why + ")");
    return d;
  }
  if (lost) d.duplicated = false;  // netem: one of the two goes
  if (model_.corrupt) {
    const double draw = corrupt_.correlated(model_.corrupt->correlation);
    if (draw < model_.corrupt->p && length > checked_from) {
      d.corrupt_byte = checked_from + static_cast<std::size_t>(corrupt_.uniform() * static_cast<double>(length - checked_from));
      d.corrupt_bit = static_cast<int>(corrupt_.uniform() * 8);
      say("corrupted " + by() + ", " + draw_text(draw, "<", model_.corrupt->p) + "): bit " + std::to_string(d.corrupt_bit) +
          " of byte " + std::to_string(*d.corrupt_byte) + " flipped, so the receiver's checksum drops it");
    }
  }
  if (model_.reorder) {
    const auto& r = *model_.reorder;
    if (since_reorder_ + 1 >= r.gap) {
      const double draw = reorder_.correlated(r.chance.correlation);
      if (draw < r.chance.p) {
        since_reorder_ = 0;
        d.reordered = true;
        say("reordered " + by() + ", " + draw_text(draw, "<", r.chance.p) + "): sent at once, ahead of the delayed frames");
      }
    }
    if (!d.reordered) ++since_reorder_;
  }
  if (!d.reordered) {
    d.delay_ns = after_rate(now_ns, delay(), length);
    if (d.delay_ns > 0) say("delayed " + note::ms_text(d.delay_ns) + " " + by() + ")");
  }
  if (d.duplicated) {
    d.copy_delay_ns = after_rate(now_ns, delay(), length);
    say("duplicated " + by() + "): its copy follows " + note::ms_text(d.copy_delay_ns) + " after it arrived");
  }
  return d;
}

}  // namespace closepath
