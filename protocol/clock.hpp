// The clocks the harness and the peers stamp times with. Outcome times,
// wire frames and program lines are CLOCK_MONOTONIC, so a peer's times and
// the harness's compare directly; capture timestamps are CLOCK_REALTIME.
#pragma once

#include <cstdint>
#include <ctime>

namespace closepath::protocol {

inline std::int64_t now_ns(clockid_t clock = CLOCK_MONOTONIC) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace closepath::protocol
