#include "doctor.hpp"

#include "child_process.hpp"
#include "catalogue.hpp"
#include "errors.hpp"
#include "runtimes.hpp"
#include "netlink_route.hpp"
#include "netns.hpp"

#include <nlohmann/json.hpp>
#include <pcap/pcap.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <optional>

namespace closepath {
namespace {

// Runs `probe` in a fresh namespace; returns the failure text, or "" on success.
template <typename Probe>
std::string in_scratch_namespace(Probe probe) {
  try {
    auto ns = NetNamespace::create();
    probe(ns);
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

bool file_contains(const std::filesystem::path& p, const std::string& needle) {
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);)
    if (line.find(needle) != std::string::npos) return true;
  return false;
}

std::optional<std::filesystem::path> program(const std::string& name) {
  try {
    return find_program(name);
  } catch (const HostError&) {
    return std::nullopt;
  }
}

// Whether an unprivileged user namespace can be made (probed in a child).
std::string userns_probe() {
  const pid_t pid = fork();
  if (pid < 0) return std::string("fork: ") + std::strerror(errno);
  if (pid == 0) _exit(unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0 ? 0 : 1);
  const int status = wait_status(pid);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : "unshare(CLONE_NEWUSER) refused";
}

// Whether a Docker daemon answers (the client alone is not enough).
std::string docker_probe() {
  const auto docker = program("docker");
  if (!docker) return "no docker client";
  const pid_t pid = fork();
  if (pid < 0) return std::string("fork: ") + std::strerror(errno);
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(docker->c_str(), "docker", "info", static_cast<char*>(nullptr));
    _exit(127);
  }
  const int status = wait_status(pid);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : "docker client found, but no daemon answers";
}

// A script's interpreter (its "#!" line), when it names one that is missing; else "".
std::string missing_interpreter(const std::filesystem::path& program) {
  std::ifstream in(program);
  std::string line;
  if (!std::getline(in, line) || !line.starts_with("#!")) return "";
  const auto interpreter = line.substr(2, line.find(' ', 2) == std::string::npos ? std::string::npos : line.find(' ', 2) - 2);
  return access(interpreter.c_str(), X_OK) == 0 ? "" : interpreter;
}

// The peer programs of the runtimes besides Asio (protocol/runtimes.hpp): built, and able to start here.
void add_peer_runtimes(std::vector<Capability>& caps) {
  for (const auto& r : protocol::kRuntimes) {
    if (r.name == std::string(protocol::kDefaultRuntime)) continue;
    std::string found, problem;
    try {
      const auto path = find_peer_program(self_dir(), r.name);
      if (const auto interpreter = missing_interpreter(path); !interpreter.empty())
        problem = "its interpreter " + interpreter + " is missing";
      found = path.string();
    } catch (const HostError&) {
      problem = std::string(r.program) + " is not built";
    }
    const bool go = r.name == std::string("go");
    caps.push_back({std::string("peer ") + r.name, problem.empty(), false, problem.empty() ? found : problem,
                    std::string("closepath run --peer ") + r.name + ": what a program in that runtime is told",
                    go ? "tools/bootstrap.sh (installs golang-go and builds closepath-peer-go)" : "apt-get install python3"});
  }
}

Capability docker_capability() {
  const auto docker = docker_probe();
  return {"docker", docker.empty(), false, docker.empty() ? "a daemon answers `docker info`" : docker,
          "docker compose run --rm closepath (and the test that builds the image)",
          "apt-get install docker.io docker-compose, then start dockerd (tools/docker-local.sh does, with a local base image)"};
}

}  // namespace

bool netem_available(std::string* why) {
  const auto failure = in_scratch_namespace([](const NetNamespace& ns) {
    run_in(ns, {"tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"});
  });
  if (why) *why = failure;
  return failure.empty();
}

std::vector<Capability> probe_host(bool rootless) {
  std::vector<Capability> caps;
  const bool root = geteuid() == 0 && !rootless;
  const auto userns = rootless ? std::string() : userns_probe();
  caps.push_back({"privileges", root || userns.empty(), true,
                  root ? "running as root: kernel tracing available"
                       : userns.empty() ? "not root: runs rootless in a user namespace (states inferred, no kernel trace)"
                                        : "not root, and user namespaces are refused",
                  "creating network namespaces and veth pairs",
                  "run as root, or allow unprivileged user namespaces (kernel.unprivileged_userns_clone=1)"});
  caps.push_back({"user namespaces", userns.empty(), false, userns.empty() ? "unshare(CLONE_NEWUSER) works" : userns,
                  "running without root (rootless mode)",
                  "sysctl kernel.unprivileged_userns_clone=1 (Debian) / user.max_user_namespaces > 0"});

  const auto netns_error = in_scratch_namespace([](const NetNamespace&) {});
  caps.push_back({"network namespaces", netns_error.empty(), true, netns_error.empty() ? "unshare(CLONE_NEWNET) works" : netns_error,
                  "isolating each run's client, wire and server", "a kernel with CONFIG_NET_NS; run as root"});

  const auto veth_error = in_scratch_namespace([](const NetNamespace& ns) {
    NetlinkRoute net(ns);
    net.add_veth("probe0", "02:00:00:00:00:99", "probe1", ns);
    net.offloads_off("probe0");
  });
  caps.push_back({"veth", veth_error.empty(), true,
                  veth_error.empty() ? "veth pair created over rtnetlink in a scratch namespace, offloads off" : veth_error,
                  "the two wire legs", "a kernel with CONFIG_VETH"});

  caps.push_back({"libpcap", true, true, pcap_lib_version(), "capturing and forwarding frames on the wire",
                  "apt-get install libpcap-dev (build) / libpcap0.8 (run)"});

  const auto nft = program("nft");
  std::string nft_error = nft ? in_scratch_namespace([](const NetNamespace& ns) { run_in(ns, {"nft", "list", "ruleset"}); })
                              : "nft not found";
  caps.push_back({"nftables", nft_error.empty(), false, nft_error.empty() ? "nft works in a scratch namespace" : nft_error,
                  "scenarios that filter inside an endpoint namespace", "apt-get install nftables"});

  const bool tracefs_known = file_contains("/proc/filesystems", "tracefs");
  // Not readable by everyone where it is mounted (Debian mounts it, mode 0700): then not ours to see.
  std::error_code unreadable;
  const bool tracepoint = std::filesystem::exists("/sys/kernel/tracing/events/sock/inet_sock_set_state", unreadable);
  caps.push_back({"tracefs", tracefs_known && !rootless, false,
                  rootless     ? "out of reach without root (rootless runs infer states from the capture)"
                  : tracepoint   ? "mounted at /sys/kernel/tracing with sock:inet_sock_set_state"
                  : tracefs_known ? "supported by the kernel, not mounted (closepath mounts it privately when needed)"
                                  : "the kernel has no tracefs",
                  "kernel truth for TCP state transitions (otherwise they are inferred from the capture)",
                  "mount -t tracefs nodev /sys/kernel/tracing"});

  add_peer_runtimes(caps);
  std::string netem_why;
  const bool netem = program("tc") && netem_available(&netem_why);
  caps.push_back({"netem", netem, false, netem ? "sch_netem qdisc accepted in a scratch namespace" : (program("tc") ? netem_why : "tc not found"),
                  "netem scenarios (skipped without it; `wire: impair` needs nothing of the kernel)",
                  "a kernel with CONFIG_NET_SCH_NETEM (Debian: linux-modules-extra / the stock kernel), apt-get install iproute2"});

  caps.push_back(docker_capability());
  return caps;
}

int print_doctor(std::ostream& out, const std::vector<Capability>& caps, bool json) {
  bool ok = true;
  for (const auto& c : caps) ok = ok && (c.present || !c.required);
  if (json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& c : caps)
      j.push_back({{"name", c.name}, {"present", c.present}, {"required", c.required}, {"detail", c.detail},
                   {"needed_for", c.needed_for}, {"how_to_get", c.how_to_get}});
    out << j.dump(2) << "\n";
  } else {
    for (const auto& c : caps) {
      out << (c.present ? "ok      " : c.required ? "MISSING " : "absent  ") << std::left << std::setw(20) << c.name
          << c.detail << "\n";
      out << "        " << std::setw(20) << "" << "for: " << c.needed_for << "\n";
      if (!c.present) out << "        " << std::setw(20) << "" << "get it: " << c.how_to_get << "\n";
    }
    out << (ok ? "closepath can run the core catalogue on this host.\n"
               : "closepath cannot run here until the MISSING items are fixed.\n");
  }
  return ok ? 0 : 3;
}

}  // namespace closepath
