#include "shard.hpp"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <stdexcept>

namespace closepath {
namespace {

// What a run costs beyond its timers (set-up, settling, judging), so that
// scenarios declaring none spread over the parts too.
constexpr std::chrono::milliseconds kRunCost{100};

int whole_number(std::string_view text, const std::string& whole) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    throw std::invalid_argument("'" + whole + "' is not K/N (two whole numbers, e.g. 2/3)");
  return value;
}

}  // namespace

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) throw std::invalid_argument("'" + text + "' is not K/N (e.g. 2/3)");
  const Shard shard{whole_number(std::string_view(text).substr(0, slash), text),
                    whole_number(std::string_view(text).substr(slash + 1), text)};
  if (shard.count < 1 || shard.index < 1 || shard.index > shard.count)
    throw std::invalid_argument("'" + text + "': K must be between 1 and N");
  return shard;
}

std::vector<std::size_t> shard_of(const std::vector<Scenario>& scenarios, Shard shard) {
  // Longest declared timers first; ties by name, then position: the same on every machine.
  std::vector<std::size_t> order(scenarios.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (scenarios[a].timers != scenarios[b].timers) return scenarios[a].timers > scenarios[b].timers;
    return scenarios[a].name < scenarios[b].name;
  });
  std::vector<std::chrono::milliseconds> load(static_cast<std::size_t>(shard.count), std::chrono::milliseconds{0});
  std::vector<std::size_t> mine;
  for (const auto i : order) {
    // Each scenario to the part with least so far (the lowest-numbered on a tie).
    const auto part = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[part] += scenarios[i].timers + kRunCost;
    if (part == static_cast<std::size_t>(shard.index - 1)) mine.push_back(i);
  }
  std::sort(mine.begin(), mine.end());
  return mine;
}

}  // namespace closepath
