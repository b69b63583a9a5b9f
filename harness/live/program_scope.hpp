// Everything a user's program starts, however it detaches (a double fork,
// setsid: a daemon such as nginx without `daemon off`), belongs to the run:
// it is found, reported and ended with it. Where this process may make
// cgroups (cgroup v2, as root) each program gets its own, ended at once with
// cgroup.kill; elsewhere (rootless, no cgroup2 mounted: a qemu guest) the
// program's processes are those in its side's network namespace but the
// ones named as not its own (the peer).
//
// A cgroup left by a harness that was SIGKILLed (its pid gone) is ended and
// removed by the next one that makes a scope.
#pragma once

#include "netns.hpp"
#include "unique_fd.hpp"

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace closepath {

class ProgramScope {
 public:
  // `not_ours`: processes of the namespace that are not the program's.
  ProgramScope(const NetNamespace& ns, std::vector<pid_t> not_ours);
  ProgramScope(const ProgramScope&) = delete;
  ProgramScope& operator=(const ProgramScope&) = delete;
  ~ProgramScope();  // ends every member, removes the cgroup

  // The cgroup's cgroup.procs, for the child to write "0" into before it
  // execs; -1 without a cgroup. Open in the parent: nothing to allocate after fork.
  int join_fd() const { return procs_.get(); }
  // After the child has started: falls back to the namespace when it is not
  // in the cgroup (the kernel refused the move).
  void check_joined(pid_t child);
  // Every process of the program now (its zombies left out).
  std::vector<pid_t> members() const;
  // SIGKILLs every member until none is left (bounded); returns how many there were.
  std::size_t end_all();
  // "cgroup /sys/fs/cgroup/.../closepath-123-1" or "network namespace".
  std::string kind() const;

 private:
  std::vector<pid_t> namespace_members() const;

  ino_t ns_inode_ = 0;
  dev_t ns_dev_ = 0;
  std::vector<pid_t> not_ours_;
  std::optional<std::filesystem::path> cgroup_;
  UniqueFd procs_;
};

}  // namespace closepath
