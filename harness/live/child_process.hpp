// Forked children: started inside a namespace, and reaped. Every child the
// harness starts (ip and tc, sysctl writers, peers, the user's programs,
// -j runs, doctor's probes) is reaped through wait_status, so an EINTR
// never leaves a zombie or loses a status.
#pragma once

#include "errors.hpp"
#include "netns.hpp"

#include <sched.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace closepath {

// Joins `ns` in a forked child and returns its pid; the child continues in
// `body`, which should exec or _exit (126: joining failed; 127: body returned).
// Throws HostError when fork fails.
template <typename Body>
pid_t fork_in(const NetNamespace& ns, Body body) {
  const pid_t pid = fork();
  if (pid < 0) throw HostError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    if (setns(ns.fd(), CLONE_NEWNET) != 0) _exit(126);
    body();
    _exit(127);
  }
  return pid;
}

// As fork_in, for a child that only execs: it borrows the parent's memory
// (vfork) until its exec, so starting it copies no page tables and the
// parent's pages fault no copies while it runs. `body` may make system calls
// on what it was given, then exec or _exit; nothing else (no allocation, no
// exceptions, no locks). The calling thread waits until the child has exec'd.
template <typename Body>
pid_t exec_in(const NetNamespace& ns, Body body) {
  const int fd = ns.fd();
  const pid_t pid = vfork();
  if (pid < 0) throw HostError(std::string("vfork: ") + std::strerror(errno));
  if (pid == 0) {
    if (setns(fd, CLONE_NEWNET) != 0) _exit(126);
    body();
    _exit(127);
  }
  return pid;
}

// Waits for the child `pid` to end and returns its wait status.
inline int wait_status(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  return status;
}

}  // namespace closepath
