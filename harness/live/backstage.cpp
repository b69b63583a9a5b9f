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

std::unique_ptr<Rig> Backstage::take(const std::optional<std::filesystem::path>& tracefs, bool another_follows) {
  std::unique_ptr<Rig> rig;
  {
    std::unique_lock lock(mutex_);
    built_.wait(lock, [&] { return !building_; });  // one under way is nearer done than a new one
    rig = std::move(ahead_);
  }
  if (!rig) rig = std::make_unique<Rig>(tracefs);
  if (another_follows) {
    {
      std::lock_guard lock(mutex_);
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
  return rig;
}

void Backstage::drain() {
  build_.drain();
  teardown_.drain();
  {
    std::unique_ptr<Rig> unused;
    std::lock_guard lock(mutex_);
    unused = std::move(ahead_);
  }
  KernelTrace::release_shared();  // every rig is gone: the instance goes now
}

}  // namespace closepath
