// Kernel truth for TCP states: a private tracefs instance
// (instances/closepath-<pid>-<n>) with sock:inet_sock_set_state,
// tcp:tcp_send_reset and tcp:tcp_receive_reset enabled, stamped with the
// monotonic clock. It records every TCP socket of the host: the events carry
// no namespace, so a run keeps those of its client port (unique to it among
// live runs: port_reservation.hpp) from its start on.
//
// One instance serves every run of a harness process, one run after
// another. Making an instance and enabling its events, then disabling and
// removing it, each wait for RCU grace periods under the kernel's tracing
// locks: 60-130 ms a run on this project's machines, more than a short
// scenario's whole timeline. Sharing is safe because a run's port stays
// reserved until its teardown has destroyed every socket it left
// (socket_audit.hpp): no later event carries it while another run holds it.
// The instance is removed when the process's last holder lets go; instances
// left by a harness that was SIGKILLed (its pid gone) are removed by the next.
#pragma once

#include "trace_event.hpp"
#include "unique_fd.hpp"

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
  // This process's instance, made by the first caller (on any thread) and
  // kept until release_shared(); nullptr (with `why`) when tracing is
  // unavailable: states are then inferred. A failure is not retried.
  static std::shared_ptr<KernelTrace> shared(const std::filesystem::path& tracefs, std::string* why);
  // Lets go of the process's instance (removed once no rig holds it).
  static void release_shared();
  KernelTrace(const KernelTrace&) = delete;
  KernelTrace& operator=(const KernelTrace&) = delete;
  ~KernelTrace();

  // The events of client port `port` since `from_mono_ns` (CLOCK_MONOTONIC)
  // among those recorded since the last call: reading consumes, so one run
  // at a time reads, at its end.
  std::vector<TraceEvent> events(int port, std::int64_t from_mono_ns);

 private:
  static std::unique_ptr<KernelTrace> start(const std::filesystem::path& tracefs, std::string* why);
  explicit KernelTrace(std::filesystem::path instance) : instance_(std::move(instance)) {}
  void remove() noexcept;
  std::filesystem::path instance_;
  UniqueFd pipe_;  // the instance's trace_pipe, open from the start
};

}  // namespace closepath
