// Network namespaces held only by file descriptors: a namespace dies when
// its last descriptor closes and its last process exits, so nothing survives
// the harness, even when it is SIGKILLed. Nothing here touches the host's
// own namespace: every command runs in a child that first joins `ns`.
#pragma once

#include "unique_fd.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace closepath {

class NetNamespace {
 public:
  // A new, empty namespace (only a down loopback), made from `from` when
  // given (whose net.ipv4.tcp_child_ehash_entries then sizes its TCP hash
  // table), else from the caller's. Throws HostError.
  static NetNamespace create(const NetNamespace* from = nullptr);
  NetNamespace(NetNamespace&& other) noexcept = default;
  NetNamespace& operator=(NetNamespace&&) = delete;
  NetNamespace(const NetNamespace&) = delete;

  int fd() const { return fd_.get(); }

 private:
  explicit NetNamespace(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// Finds a program in the usual sbin/bin directories (not via the shell).
std::filesystem::path find_program(const std::string& name);

// Runs argv (argv[0] a program name: tc, nft) inside `ns` without a shell.
// Throws HostError naming the command and quoting its error output when it
// fails. The topology itself is built in-process (netlink_route.hpp).
void run_in(const NetNamespace& ns, const std::vector<std::string>& argv);

// Runs `f` on a thread that joined `ns` (and only that thread: the caller
// stays where it is); what `f` throws is thrown here. Sockets and /proc/net
// files it opens belong to `ns` for good.
void on_thread_in(const NetNamespace& ns, const std::function<void()>& f);

// Writes net.* sysctls inside `ns` only, in order, from one thread that
// joins it. Throws HostError naming the first that fails.
using Sysctls = std::vector<std::pair<std::string, std::string>>;
void write_sysctls(const NetNamespace& ns, const Sysctls& settings);
inline void write_sysctl(const NetNamespace& ns, const std::string& key, const std::string& value) {
  write_sysctls(ns, {{key, value}});
}
// A net.* sysctl's value inside `ns`, without its newline. Throws HostError.
std::string read_sysctl(const NetNamespace& ns, const std::string& key);

}  // namespace closepath
