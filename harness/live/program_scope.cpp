#include "program_scope.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace closepath {
namespace fs = std::filesystem;
namespace {

// This process's own cgroup in the cgroup2 hierarchy, or nullopt (none mounted).
std::optional<fs::path> own_cgroup() {
  std::ifstream mounts("/proc/self/mountinfo");
  std::optional<fs::path> mount;
  for (std::string line; !mount && std::getline(mounts, line);) {
    const auto dash = line.find(" - ");
    if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
    std::istringstream fields(line);
    std::string id, parent, devno, root, point;
    fields >> id >> parent >> devno >> root >> point;
    mount = point;
  }
  if (!mount) return std::nullopt;
  std::ifstream self("/proc/self/cgroup");
  for (std::string line; std::getline(self, line);)
    if (line.rfind("0::", 0) == 0) return *mount / fs::path(line.substr(3)).relative_path();
  return std::nullopt;
}

std::vector<pid_t> pids_in(const fs::path& cgroup) {
  std::vector<pid_t> pids;
  std::ifstream procs(cgroup / "cgroup.procs");
  for (pid_t pid; procs >> pid;) pids.push_back(pid);
  return pids;
}

bool alive(pid_t pid) {  // neither gone nor a zombie
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

// Kills what `members` lists until it lists nothing, for at most 5 s.
template <typename Members>
std::size_t kill_until_empty(Members members, const std::optional<fs::path>& cgroup) {
  std::vector<pid_t> seen;
  if (cgroup) std::ofstream(*cgroup / "cgroup.kill") << "1";  // at once, forks included (Linux 5.14+)
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (auto now = members(); !now.empty() && std::chrono::steady_clock::now() < until; now = members()) {
    for (pid_t pid : now) {
      if (std::find(seen.begin(), seen.end(), pid) == seen.end()) seen.push_back(pid);
      ::kill(pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return seen.size();
}

// Cgroups of harnesses that died without removing them (SIGKILL): ended and removed.
void remove_stale(const fs::path& parent) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("closepath-", 0) != 0) continue;
    const pid_t owner = static_cast<pid_t>(std::atol(name.c_str() + 10));
    if (owner <= 0 || ::kill(owner, 0) == 0 || errno != ESRCH) continue;
    const auto dir = entry.path();
    kill_until_empty([&] { return pids_in(dir); }, dir);
    fs::remove(dir, ec);
  }
}

}  // namespace

ProgramScope::ProgramScope(const NetNamespace& ns, std::vector<pid_t> not_ours) : not_ours_(std::move(not_ours)) {
  struct stat st{};
  if (fstat(ns.fd(), &st) == 0) ns_inode_ = st.st_ino, ns_dev_ = st.st_dev;
  static std::mutex made_mutex;
  static int made = 0;
  const auto parent = own_cgroup();
  if (!parent) return;
  int n = 0;
  {
    const std::lock_guard lock(made_mutex);
    if (made == 0) remove_stale(*parent);
    n = ++made;
  }
  const auto dir = *parent / ("closepath-" + std::to_string(getpid()) + "-" + std::to_string(n));
  if (mkdir(dir.c_str(), 0755) != 0) return;  // not ours to write (rootless): the namespace it is
  procs_ = UniqueFd(open((dir / "cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
  if (!procs_) {
    rmdir(dir.c_str());
    return;
  }
  cgroup_ = dir;
}

void ProgramScope::check_joined(pid_t child) {
  if (!cgroup_) return;
  const auto pids = pids_in(*cgroup_);
  if (std::find(pids.begin(), pids.end(), child) != pids.end()) return;
  procs_.reset();
  rmdir(cgroup_->c_str());
  cgroup_.reset();
}

std::vector<pid_t> ProgramScope::namespace_members() const {
  std::vector<pid_t> pids;
  DIR* proc = opendir("/proc");
  if (!proc) return pids;
  while (const dirent* e = readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atol(e->d_name));
    if (pid <= 0 || pid == getpid() || std::find(not_ours_.begin(), not_ours_.end(), pid) != not_ours_.end()) continue;
    struct stat st{};
    const auto ns = "/proc/" + std::string(e->d_name) + "/ns/net";
    if (stat(ns.c_str(), &st) == 0 && st.st_ino == ns_inode_ && st.st_dev == ns_dev_) pids.push_back(pid);
  }
  closedir(proc);
  return pids;
}

std::vector<pid_t> ProgramScope::members() const {
  auto pids = cgroup_ ? pids_in(*cgroup_) : namespace_members();
  std::erase_if(pids, [](pid_t pid) { return !alive(pid); });
  return pids;
}

std::size_t ProgramScope::end_all() { return kill_until_empty([this] { return members(); }, cgroup_); }

std::string ProgramScope::kind() const { return cgroup_ ? "cgroup " + cgroup_->string() : "network namespace"; }

ProgramScope::~ProgramScope() {
  end_all();
  if (cgroup_) rmdir(cgroup_->c_str());
}

}  // namespace closepath
