// What `wire: impair` asks of one direction: netem's impairments, as the
// wire itself carries them out in user space (harness/live/impairment.hpp).
// Probabilities are fractions (10% is 0.10), times nanoseconds.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace closepath {

// A chance with netem's correlation: each draw leans on the one before by
// `correlation` (0: independent).
struct Chance {
  double p = 0;
  double correlation = 0;
};

enum class DelayDistribution { uniform, normal, pareto, paretonormal };
inline constexpr std::array<std::string_view, 4> kDelayDistributionNames{"uniform", "normal", "pareto", "paretonormal"};

struct ImpairDelay {
  std::int64_t mean_ns = 0;
  std::int64_t jitter_ns = 0;  // uniform: mean ± jitter; the others scale their table by it (normal: the standard deviation)
  double correlation = 0;
  DelayDistribution distribution = DelayDistribution::uniform;  // netem's default
};

// Gilbert-Elliott: a good and a bad state; p moves good to bad, r bad to
// good; a frame is lost with 1-h in the bad state and 1-k in the good one
// (netem's gemodel words, defaults as its manual gives them).
struct GilbertElliott {
  double p = 0, r = 1, loss_bad = 1, loss_good = 0;
};

struct ImpairLoss {
  std::optional<Chance> random;           // loss P% [CORRELATION%]
  std::optional<GilbertElliott> gemodel;  // loss gemodel P [R [1-H [1-K]]]
};

struct ImpairReorder {
  Chance chance;
  std::uint32_t gap = 1;  // every gap-th frame may go at once (netem's gap; 1 when not given)
};

struct ImpairModel {
  std::optional<ImpairDelay> delay;
  std::optional<ImpairLoss> loss;
  std::optional<Chance> duplicate;
  std::optional<ImpairReorder> reorder;
  std::optional<Chance> corrupt;
  std::optional<std::uint64_t> rate_bits_per_s;
};

// The model in netem's words, as a step would write it ("delay 50ms loss 10%").
std::string to_string(const ImpairModel& m);

}  // namespace closepath
