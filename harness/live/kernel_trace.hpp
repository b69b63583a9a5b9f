// Kernel truth for TCP states: a private tracefs instance
// (instances/closepath-<pid>-<n>) with sock:inet_sock_set_state,
// tcp:tcp_send_reset and tcp:tcp_receive_reset enabled, stamped with the
// monotonic clock. It records every TCP socket of the host (a kernel-side
// filter costs tens of milliseconds to set, more than the whole of a run
// otherwise), so it can be made before the run it serves (backstage.hpp);
// the run then keeps the events of its client port from its start on. The
// events carry no namespace: the client binds a port unique to its run, which
// keeps parallel runs apart (the server's port may be shared, e.g. 443). The
// instance is removed when this object dies; instances left by a harness
// that was SIGKILLed (its pid gone) are removed by the next run.
#pragma once

#include "trace_event.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace closepath {



// Makes tracefs reachable: when it is not mounted, enters a private mount
// namespace and mounts it there, so the host's mounts are untouched. Must be
// called while the process has one thread. Returns the tracefs root, or
// nullopt with `why` set.
std::optional<std::filesystem::path> prepare_tracefs(std::string* why);

// Removes the instances of harness processes that are gone (killed before
// their teardown). Like prepare_tracefs, may enter a private mount namespace.
void sweep_stale_trace_instances();

class KernelTrace {
 public:
  // nullptr (with `why`) when tracing is unavailable: states are then inferred.
  static std::unique_ptr<KernelTrace> start(const std::filesystem::path& tracefs, std::string* why);
  // The run it serves: its client port, and when it began (CLOCK_MONOTONIC).
  void follow(int port, std::int64_t from_mono_ns) {
    port_ = port;
    from_mono_ns_ = from_mono_ns;
  }
  KernelTrace(const KernelTrace&) = delete;
  KernelTrace& operator=(const KernelTrace&) = delete;
  ~KernelTrace();

  // Takes the events recorded so far (once: what it reads is consumed).
  std::vector<TraceEvent> events();

 private:
  explicit KernelTrace(std::filesystem::path instance) : instance_(std::move(instance)) {}
  void remove() noexcept;
  std::filesystem::path instance_;
  int port_ = 0;
  std::int64_t from_mono_ns_ = 0;
};

}  // namespace closepath
