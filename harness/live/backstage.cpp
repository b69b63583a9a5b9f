#include "backstage.hpp"

namespace closepath {

Worker::~Worker() {
  drain();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Worker::add(std::function<void()> job) {
  std::lock_guard lock(mutex_);
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  queue_.push_back(std::move(job));
  changed_.notify_all();
}

void Worker::drain() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

void Worker::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    auto job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    try {
      job();
    } catch (...) {
      // A teardown that fails has nothing left to report to: it did what it could.
    }
    job = nullptr;  // what the job held goes now, off the lock
    lock.lock();
    busy_ = false;
    changed_.notify_all();
  }
}

std::unique_ptr<Rig> Backstage::take(const std::optional<std::filesystem::path>& tracefs) {
  std::unique_ptr<Rig> rig;
  {
    std::unique_lock lock(mutex_);
    built_.wait(lock, [&] { return !building_; });  // one under way is nearer done than a new one
    rig = std::move(ahead_);
  }
  return rig ? std::move(rig) : std::make_unique<Rig>(tracefs);
}

void Backstage::later(std::function<void()> work) {
  // One waits at most: a run that never reached setup_done (its setup
  // failed) must not keep its rig, and the one before, until the process ends.
  start_teardowns();
  std::lock_guard lock(mutex_);
  waiting_.push_back(std::move(work));
}

void Backstage::start_teardowns() {
  std::vector<std::function<void()>> jobs;
  {
    std::lock_guard lock(mutex_);
    jobs.swap(waiting_);
  }
  for (auto& job : jobs) teardown_.add(std::move(job));
}

void Backstage::setup_done(const std::optional<std::filesystem::path>& tracefs, bool another_follows) {
  start_teardowns();
  if (another_follows) build_ahead(tracefs);
}

void Backstage::build_ahead(const std::optional<std::filesystem::path>& tracefs) {
  {
    std::lock_guard lock(mutex_);
    if (building_ || ahead_) return;
    building_ = true;
  }
  build_.add([this, tracefs] {
    std::unique_ptr<Rig> built;
    try {
      built = std::make_unique<Rig>(tracefs);
    } catch (...) {
      // The run that wanted it builds its own, and meets the error there.
    }
    {
      std::lock_guard lock(mutex_);
      ahead_ = std::move(built);
      building_ = false;
    }
    built_.notify_all();
  });
}

void Backstage::drain() {
  // The process's instance goes with the last rig that holds it, beside that
  // rig's wire (rig.hpp), or here when none does.
  KernelTrace::release_shared();
  start_teardowns();
  build_.drain();
  teardown_.drain();
  {
    std::unique_ptr<Rig> unused;
    std::lock_guard lock(mutex_);
    unused = std::move(ahead_);
  }
}

}  // namespace closepath
