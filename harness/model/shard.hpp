// Splitting one `closepath run` across machines (a CI matrix): `--shard K/N`
// keeps the K-th of N parts of the scenarios named. Every machine computes
// the same split from the same files, so the N parts together run each
// scenario exactly once. Parts are balanced by each scenario's declared
// kernel timers plus a run's own cost (the longest first, each to the part
// with least so far): timers, more than the count of scenarios, make a
// part's wall time.
#pragma once

#include "scenario.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace closepath {

struct Shard {
  int index = 1;  // 1..count
  int count = 1;
};

// "K/N" with 1 <= K <= N; std::invalid_argument saying what is wrong.
Shard parse_shard(const std::string& text);

// The positions in `scenarios` (in their order) that fall to `shard`.
std::vector<std::size_t> shard_of(const std::vector<Scenario>& scenarios, Shard shard);

}  // namespace closepath
