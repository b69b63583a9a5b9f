#include "watchdog.hpp"

#include "interrupt.hpp"
#include "unique_fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace closepath {
namespace {

std::mutex g_activity_mutex;
std::string g_activity;                 // guarded by g_activity_mutex
std::filesystem::path g_activity_file;  // guarded by g_activity_mutex; empty: no watchdog

// Written beside and renamed over, so a reader never sees half a line.
void publish(const std::filesystem::path& file, const std::string& text) {
  const auto partial = file.string() + ".new";
  const UniqueFd fd(open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return;  // an unwritable run directory shows when the report is written
  if (write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size())) rename(partial.c_str(), file.c_str());
}

std::string text_of(std::chrono::milliseconds d) {
  std::ostringstream s;
  if (d.count() % 1000 == 0) s << d.count() / 1000 << " s";
  else s << d.count() << " ms";
  return s.str();
}

}  // namespace

void now_doing(const std::string& what) {
  std::lock_guard lock(g_activity_mutex);
  g_activity = what;
  if (!g_activity_file.empty()) publish(g_activity_file, what);
}

std::string read_activity(const std::filesystem::path& run_dir) {
  std::ifstream in(run_dir / kActivityFile);
  std::string line;
  std::getline(in, line);
  return line;
}

RunWatchdog::RunWatchdog(std::chrono::milliseconds limit, std::filesystem::path run_dir) {
  std::error_code ignored;  // an unwritable run directory shows when the report is written
  std::filesystem::create_directories(run_dir, ignored);
  {
    std::lock_guard lock(g_activity_mutex);
    g_activity = "starting";
    g_activity_file = std::move(run_dir) / kActivityFile;
  }
  thread_ = std::thread([this, limit] { watch(limit); });
}

RunWatchdog::~RunWatchdog() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  done_cv_.notify_all();
  thread_.join();
  clear_run_stuck();
  std::lock_guard lock(g_activity_mutex);
  std::error_code ignored;
  std::filesystem::remove(g_activity_file, ignored);
  g_activity_file.clear();
}

void RunWatchdog::watch(std::chrono::milliseconds limit) {
  std::unique_lock lock(mutex_);
  if (done_cv_.wait_for(lock, limit, [this] { return done_; })) return;
  std::string activity;
  {
    std::lock_guard activity_lock(g_activity_mutex);
    activity = g_activity;
  }
  mark_run_stuck("stuck: no verdict after " + text_of(limit) + " (the run's limit; --stuck-after sets it) while " +
                 activity + "; the run was stopped and torn down");
}

}  // namespace closepath
