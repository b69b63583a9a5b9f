#include "program_process.hpp"

#include "child_process.hpp"
#include "clock.hpp"
#include "errors.hpp"
#include "interrupt.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

namespace closepath {
namespace {

UniqueFd make_eventfd() {
  UniqueFd fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!fd) throw HostError(std::string("eventfd: ") + std::strerror(errno));
  return fd;
}

// A close-on-exec pipe: {read end, write end}.
std::pair<UniqueFd, UniqueFd> make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw HostError(std::string("pipe: ") + std::strerror(errno));
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// The environment is the harness's; as another user, with that user's HOME
// and names; then the scenario's variables, each replacing one of its name.
std::vector<std::string> environment_for(const ProgramStart& start) {
  auto replaced = [&](std::string_view var) {
    if (start.user && (var.starts_with("HOME=") || var.starts_with("USER=") || var.starts_with("LOGNAME="))) return true;
    return std::any_of(start.env.begin(), start.env.end(),
                       [&](const auto& e) { return var.size() > e.first.size() && var.starts_with(e.first + "="); });
  };
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e)
    if (!replaced(*e)) env.emplace_back(*e);
  if (start.user) env.insert(env.end(), {"HOME=" + start.user->home, "USER=" + start.user->name, "LOGNAME=" + start.user->name});
  for (const auto& [name, value] : start.env) env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& words) {
  std::vector<char*> out;
  for (auto& w : words) out.push_back(w.data());
  out.push_back(nullptr);
  return out;
}

// Where the child failed and errno, through the status pipe.
enum class Stage { exec, user, stdin_file, cwd };
struct Failure {
  Stage stage = Stage::exec;
  int error = 0;
};

// The child's side of the fork: its cgroup and process group, stdio on the
// pipes, the user, then exec. Reports a failure and exits 127.
struct ChildPlan {
  pid_t parent;
  int join, out, err, status;
  const ProgramStart& start;
  char** argv;
  char** env;
};
[[noreturn]] void become_program(const ChildPlan& c) {
  auto fail = [&](Stage stage, int e) {
    const Failure f{stage, e};
    [[maybe_unused]] const auto n = write(c.status, &f, sizeof f);
    _exit(127);
  };
  if (c.join >= 0) [[maybe_unused]] const auto joined = write(c.join, "0", 1);  // its cgroup, before anything can fork
  setpgid(0, 0);  // its own group too: a signal step reaches what it started
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != c.parent) _exit(1);
  if (dup2(c.out, 1) != 1 || dup2(c.err, 2) != 2) fail(Stage::exec, errno);
  const auto& user = c.start.user;
  if (user && (setgroups(user->groups.size(), user->groups.data()) != 0 || setgid(user->gid) != 0 || setuid(user->uid) != 0))
    fail(Stage::user, errno);
  // As the user: its permissions count. Both paths are absolute.
  const int input = open(c.start.stdin_file.c_str(), O_RDONLY);
  if (input < 0) fail(Stage::stdin_file, errno);
  if (dup2(input, 0) != 0) fail(Stage::exec, errno);
  if (c.start.cwd && chdir(c.start.cwd->c_str()) != 0) fail(Stage::cwd, errno);
  close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);  // the harness's sockets and pipes stay out of it
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::signal(sig, SIG_DFL);
  execvpe(c.argv[0], c.argv, c.env);
  fail(Stage::exec, errno);
  _exit(127);
}

// What the status pipe said: nothing (exec succeeded: it closed), or why the program did not start.
std::optional<std::string> start_failure(int status_fd, const std::string& program, const ProgramStart& start) {
  Failure failure;
  ssize_t n;
  while ((n = read(status_fd, &failure, sizeof failure)) < 0 && errno == EINTR) {}
  if (n != sizeof failure) return std::nullopt;
  const auto& user = start.user;
  if (failure.stage == Stage::stdin_file)
    return "cannot run '" + program + "': cannot open its stdin '" + start.stdin_file + "': " + std::strerror(failure.error);
  if (failure.stage == Stage::cwd)
    return "cannot run '" + program + "': cannot change to its working directory '" + *start.cwd + "': " +
           std::strerror(failure.error);
  if (failure.stage == Stage::user)
    return "cannot run '" + program + "' as user '" + user->name + "': " + std::strerror(failure.error) +
           (failure.error == EINVAL || failure.error == EPERM
                ? " (a rootless run maps only you into its namespace: it runs programs as you; run as root for `user:`)"
                : "");
  return "cannot run '" + program + "': " + std::strerror(failure.error);
}

}  // namespace

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  const int sig = WTERMSIG(status);
  const char* name = sigabbrev_np(sig);
  return "signal " + (name ? std::string(name) : std::to_string(sig));
}

ProgramProcess::ProgramProcess(Side side, const NetNamespace& ns, const std::vector<std::string>& argv,
                               const ProgramStart& start, std::size_t exec_step, std::vector<pid_t> not_ours)
    : side_(side), argv_(argv), news_(make_eventfd()), stop_(make_eventfd()), exec_step_(exec_step),
      scope_(std::make_unique<ProgramScope>(ns, std::move(not_ours))) {
  auto [out_r, out_w] = make_pipe();
  auto [err_r, err_w] = make_pipe();
  auto [status_r, status_w] = make_pipe();  // exec's errno comes back through it; it closes on a successful exec
  out_ = std::move(out_r);
  err_ = std::move(err_r);
  auto cargv = pointers(argv_);
  auto env = environment_for(start);
  auto cenv = pointers(env);
  const ChildPlan plan{getpid(), scope_->join_fd(), out_w.get(), err_w.get(), status_w.get(), start, cargv.data(), cenv.data()};
  pid_ = fork_in(ns, [&] { become_program(plan); });
  setpgid(pid_, pid_);  // also here: no race with a signal sent before the child ran
  status_w.reset();
  out_w.reset();
  err_w.reset();
  if (const auto failed = start_failure(status_r.get(), argv_[0], start)) {
    wait_status(std::exchange(pid_, -1));
    throw ProgramNotStarted(*failed);
  }
  scope_->check_joined(pid_);
  pidfd_ = UniqueFd(static_cast<int>(syscall(SYS_pidfd_open, pid_, 0)));
  if (!pidfd_) {
    ::kill(-pid_, SIGKILL);
    wait_status(std::exchange(pid_, -1));
    throw HostError(std::string("pidfd_open: ") + std::strerror(errno));
  }
  reader_ = std::thread([this] { read_until_stopped(); });
}

ProgramProcess::~ProgramProcess() {
  if (pid_ > 0) ::kill(-pid_, SIGKILL);  // the whole group
  scope_->end_all();                     // and whatever left it
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = write(stop_.get(), &one, sizeof one);
  if (reader_.joinable()) reader_.join();
  if (pid_ > 0) wait_status(pid_);  // reaped only now, after its group was killed
}

void ProgramProcess::note_what_it_left() {
  if (!status()) return;
  auto left = scope_->members();
  std::erase(left, pid_);
  const std::lock_guard lock(mutex_);
  left_running_ = left.size();
}

void ProgramProcess::announce() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = write(news_.get(), &one, sizeof one);
}

void ProgramProcess::read_until_stopped() {
  std::array<std::string, 2> partial;
  const std::array<const char*, 2> names{"stdout", "stderr"};
  std::array<pollfd, 4> fds{{{out_.get(), POLLIN, 0}, {err_.get(), POLLIN, 0}, {pidfd_.get(), POLLIN, 0},
                             {stop_.get(), POLLIN, 0}}};
  auto keep = [&](std::size_t i, std::string text) {
    const std::lock_guard lock(mutex_);
    lines_.push_back({protocol::now_ns(), names[i], std::move(text)});
  };
  while (!(fds[3].revents & POLLIN)) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    bool news = false;
    for (std::size_t i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      const auto got = read(fds[i].fd, buf, sizeof buf);
      if (got <= 0) {
        if (!partial[i].empty()) keep(i, std::exchange(partial[i], ""));
        fds[i].fd = -1;  // closed: poll ignores it from now on
        if (fds[0].fd < 0 && fds[1].fd < 0) {
          const std::lock_guard lock(mutex_);
          output_closed_ = true;  // nothing it started holds its output either
        }
        news = true;
        continue;
      }
      partial[i].append(buf, static_cast<std::size_t>(got));
      for (std::size_t nl; (nl = partial[i].find('\n')) != std::string::npos;) {
        keep(i, partial[i].substr(0, nl));
        partial[i].erase(0, nl + 1);
        news = true;
      }
    }
    if (fds[2].revents & POLLIN) {
      // Read how it ended but leave it a zombie (WNOWAIT): its pid, which is
      // its group's id, cannot be reused until teardown has killed the group
      // and reaped it.
      siginfo_t info{};
      if (waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == pid_) {
        const std::lock_guard lock(mutex_);
        status_ = info.si_code == CLD_EXITED ? W_EXITCODE(info.si_status, 0) : W_EXITCODE(0, info.si_status);
      }
      fds[2].fd = -1;
      news = true;
    }
    if (news) announce();
  }
}

template <typename Ready>
bool ProgramProcess::wait(Ready ready, Deadline until) {
  for (;;) {
    {
      const std::lock_guard lock(mutex_);
      if (ready()) return true;
    }
    if (std::chrono::steady_clock::now() >= until) return false;
    pollfd fd{news_.get(), POLLIN, 0};
    poll_until(std::span(&fd, 1), until);
    check_interrupted();
    std::uint64_t drained;
    [[maybe_unused]] const auto n = read(news_.get(), &drained, sizeof drained);
  }
}

std::optional<std::size_t> ProgramProcess::wait_line(const std::regex& re, std::size_t from, Deadline until) {
  std::optional<std::size_t> found;
  wait(
      [&] {
        for (std::size_t i = from; i < lines_.size(); ++i)
          if (std::regex_search(lines_[i].text, re)) return (found = i).has_value();
        from = lines_.size();
        return status_.has_value() && output_closed_;  // it ended and nothing more can come
      },
      until);
  return found;
}

std::optional<int> ProgramProcess::wait_exit(Deadline until) {
  if (!wait([&] { return status_.has_value(); }, until)) return std::nullopt;
  return status();
}

void ProgramProcess::signal(int number) {
  if (pid_ > 0 && !status()) ::kill(pid_, number);
}

ProgramRecord ProgramProcess::record() const {
  const std::lock_guard lock(mutex_);
  return {.side = side_,
          .argv = argv_,
          .lines = lines_,
          .ended = status_ ? std::optional(describe_status(*status_)) : std::nullopt,
          .exec_step = exec_step_,
          .left_running = left_running_};
}

std::optional<int> ProgramProcess::status() const {
  const std::lock_guard lock(mutex_);
  return status_;
}

}  // namespace closepath
