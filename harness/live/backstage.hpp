// Work around runs, kept off their clock. A run's rig (rig.hpp: namespaces,
// veth pairs, wire, trace instance) costs tens of milliseconds to build and
// as much to tear down, most of it waiting for the kernel (RCU grace periods
// when packet sockets close and trace instances go). When more runs follow
// in this process, the next rig is built while the current run plays, and a
// finished run is torn down while the next one plays, each on a thread of its own.
//
// Nothing is left behind: drain() waits for every teardown and destroys the
// rig built ahead; the harness calls it before it exits, interrupted or not.
// A rig is built for one run and never reused, so no socket, sysctl, qdisc
// or trace event of one run can reach another.
#pragma once

#include "rig.hpp"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace closepath {

// One thread running jobs in order.
class Worker {
 public:
  Worker() = default;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker();
  void add(std::function<void()> job);
  void drain();  // until every job added so far is done

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> queue_;
  bool busy_ = false, stopping_ = false;
  std::thread thread_;
};

// One per process, in its Session (session.hpp).
class Backstage {
 public:
  Backstage() = default;
  Backstage(const Backstage&) = delete;
  Backstage& operator=(const Backstage&) = delete;
  ~Backstage() { drain(); }

  // A rig for a run: the one built ahead when there is one, else one built
  // now (HostError from that one propagates).
  std::unique_ptr<Rig> take(const std::optional<std::filesystem::path>& tracefs);
  // Runs `work` (a finished run's teardown) off the run's clock, in order,
  // once the next run's setup is done (setup_done) or at drain.
  void later(std::function<void()> work);
  // A run calls it once its own peers have said hello: the teardowns it
  // left waiting start, and with `another_follows` the next run's rig is
  // built. Both take cores and kernel locks (namespaces made and ended)
  // that the run's setup would otherwise wait for.
  void setup_done(const std::optional<std::filesystem::path>& tracefs, bool another_follows);
  // Waits until every teardown is done and the rig built ahead is destroyed.
  void drain();

 private:
  // Building and tearing down each have a thread: both mostly wait for the
  // kernel, and a run shorter than either should wait for neither.
  Worker build_, teardown_;
  std::mutex mutex_;
  std::condition_variable built_;
  bool building_ = false;       // a rig is being built ahead
  std::unique_ptr<Rig> ahead_;  // built ahead, not yet taken
  std::vector<std::function<void()>> waiting_;  // teardowns waiting for the next run's setup

  void build_ahead(const std::optional<std::filesystem::path>& tracefs);
  void start_teardowns();
};

}  // namespace closepath
