// A run never waits forever, whatever the kernel does. Every wait in a run is
// bounded on its own; the watchdog bounds the whole run. When a run outlives
// its limit it marks the run stuck (harness/live/interrupt.hpp), so every wait
// stops, the run is torn down and reported as an error naming what it was
// doing: the last `now_doing`. The activity is also kept in a file in the
// run's directory while the run lasts, so the parent of `run -j` can say it
// when a child stops answering altogether (harness/live/parallel.cpp).
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

namespace closepath {

inline constexpr const char* kActivityFile = "activity";

// What the run is doing now, e.g. "step 7 (server recv -> eof): waiting for the server peer's answer".
void now_doing(const std::string& what);

// The activity a run left in `run_dir` ("" when there is none).
std::string read_activity(const std::filesystem::path& run_dir);

class RunWatchdog {
 public:
  // `limit`: when the run counts as stuck; `run_dir` gets the activity file.
  RunWatchdog(std::chrono::milliseconds limit, std::filesystem::path run_dir);
  RunWatchdog(const RunWatchdog&) = delete;
  RunWatchdog& operator=(const RunWatchdog&) = delete;
  ~RunWatchdog();  // clears the stuck mark and the activity file

 private:
  void watch(std::chrono::milliseconds limit);
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace closepath
