#include "parallel.hpp"

#include "errors.hpp"
#include "interrupt.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>

namespace closepath {
namespace {

pid_t spawn_child(const PlannedRun& run) {
  std::vector<std::string> argv{"/proc/self/exe", "run", run.scenario->file.string(), "--run-dir", run.out_dir.string(),
                                "--no-total"};
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw HostError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  return pid;
}

ChildOutcome read_outcome(const std::filesystem::path& report_path, int status) {
  ChildOutcome o;
  std::ifstream in(report_path);
  o.report = nlohmann::json::parse(in, nullptr, false);
  if (!in || o.report.is_discarded()) {
    o.report = {{"error", report_path.string() + " missing: the run exited with status " + std::to_string(status)}};
    return o;
  }
  const auto v = o.report.value("verdict", "error");
  o.verdict = v == "pass" ? Verdict::pass : v == "fail" ? Verdict::fail : v == "skipped" ? Verdict::skipped : Verdict::error;
  return o;
}

}  // namespace

std::vector<ChildOutcome> run_in_parallel(const std::vector<PlannedRun>& runs, int jobs) {
  std::vector<ChildOutcome> outcomes(runs.size());
  std::map<pid_t, std::size_t> running;
  std::size_t next = 0;
  auto stop_all = [&] {
    for (const auto& [pid, i] : running) kill(pid, SIGTERM);
    for (const auto& [pid, i] : running) while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {}
    running.clear();
  };
  try {
    while (next < runs.size() || !running.empty()) {
      check_interrupted();
      while (next < runs.size() && running.size() < static_cast<std::size_t>(jobs)) {
        std::error_code ignored;  // an unwritable --out shows when the child writes its report
        std::filesystem::remove(runs[next].out_dir / "report.json", ignored);
        running[spawn_child(runs[next])] = next;  // the child reserves its own client port
        ++next;
      }
      int status = 0;
      const pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid <= 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      const auto it = running.find(pid);
      if (it == running.end()) continue;
      const std::size_t i = it->second;
      running.erase(it);
      outcomes[i] = read_outcome(runs[i].out_dir / "report.json", WEXITSTATUS(status));
    }
  } catch (...) {
    stop_all();
    throw;
  }
  return outcomes;
}

}  // namespace closepath
