// What closepath does to its own process before it runs anything, once, in
// the only order that works; the constructor is that order, so nothing can
// be done out of it:
//   1. rootless mode when not root: a user namespace (mapping the user to
//      root inside it) with a network and a mount namespace of its own.
//      Inside, the run's namespaces, veth pairs and packet sockets can be
//      made; the host's tracefs stays out of reach, so states come from
//      inference (the report says so);
//   2. tracefs, when asked and not rootless: mounted privately if it is not
//      mounted (the host's mounts are untouched);
//   3. the interrupt handlers.
// Steps 1 and 2 unshare, which needs a process with one thread: HostSetup
// checks that it is made before any thread exists and refuses otherwise.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace closepath {

class HostSetup {
 public:
  struct Wants {
    bool trace = true;      // a kernel trace (run: serial runs and -j children; not the -j parent)
    bool handlers = true;   // SIGINT/SIGTERM/SIGHUP end runs cleanly
  };
  // Throws HostError (exit 3) when the kernel refuses unprivileged user
  // namespaces; std::logic_error when threads already exist.
  explicit HostSetup(Wants wants);

  bool rootless() const { return rootless_; }
  const std::optional<std::filesystem::path>& tracefs() const { return tracefs_; }
  const std::string& tracefs_unavailable() const { return tracefs_unavailable_; }

 private:
  bool rootless_ = false;
  std::optional<std::filesystem::path> tracefs_;
  std::string tracefs_unavailable_;
};

}  // namespace closepath
