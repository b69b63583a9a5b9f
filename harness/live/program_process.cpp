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

}  // namespace

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  const int sig = WTERMSIG(status);
  const char* name = sigabbrev_np(sig);
  return "signal " + (name ? std::string(name) : std::to_string(sig));
}

ProgramProcess::ProgramProcess(Side side, const NetNamespace& ns, const std::vector<std::string>& argv,
                               const std::optional<ProgramUser>& user, std::size_t exec_step, std::vector<pid_t> not_ours)
    : side_(side), argv_(argv), news_(make_eventfd()), stop_(make_eventfd()), exec_step_(exec_step),
      scope_(std::make_unique<ProgramScope>(ns, std::move(not_ours))) {
  int out[2], err[2], status[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw HostError(std::string("pipe: ") + std::strerror(errno));
  out_ = UniqueFd(out[0]);
  UniqueFd out_w(out[1]);
  if (pipe2(err, O_CLOEXEC) != 0) throw HostError(std::string("pipe: ") + std::strerror(errno));
  err_ = UniqueFd(err[0]);
  UniqueFd err_w(err[1]);
  // exec's errno comes back through this pipe; it closes on a successful exec.
  if (pipe2(status, O_CLOEXEC) != 0) throw HostError(std::string("pipe: ") + std::strerror(errno));
  UniqueFd status_r(status[0]), status_w(status[1]);

  std::vector<char*> cargv;
  for (auto& a : argv_) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  // The environment is the harness's; as another user, with that user's HOME and names.
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string_view var(*e);
    if (user && (var.starts_with("HOME=") || var.starts_with("USER=") || var.starts_with("LOGNAME="))) continue;
    env.emplace_back(var);
  }
  if (user) env.insert(env.end(), {"HOME=" + user->home, "USER=" + user->name, "LOGNAME=" + user->name});
  std::vector<char*> cenv;
  for (auto& e : env) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  const pid_t parent = getpid();
  const int join = scope_->join_fd();
  // The child reports where it failed (0: exec, 1: switching user) and errno.
  struct Failure {
    int stage = 0, error = 0;
  };
  pid_ = fork_in(ns, [&] {
    auto fail = [&](int stage, int e) {
      const Failure f{stage, e};
      [[maybe_unused]] const auto n = write(status_w.get(), &f, sizeof f);
      _exit(127);
    };
    if (join >= 0) [[maybe_unused]] const auto joined = write(join, "0", 1);  // its cgroup, before anything can fork
    setpgid(0, 0);  // its own group too: a signal step reaches what it started
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, 0) != 0 || dup2(out_w.get(), 1) != 1 || dup2(err_w.get(), 2) != 2) fail(0, errno);
    if (user && (setgroups(user->groups.size(), user->groups.data()) != 0 || setgid(user->gid) != 0 ||
                 setuid(user->uid) != 0))
      fail(1, errno);
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);  // the harness's sockets and pipes stay out of it
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::signal(sig, SIG_DFL);
    execvpe(cargv[0], cargv.data(), cenv.data());
    fail(0, errno);
  });
  setpgid(pid_, pid_);  // also here: no race with a signal sent before the child ran
  status_w.reset();
  out_w.reset();
  err_w.reset();
  Failure failure;
  ssize_t n;
  while ((n = read(status_r.get(), &failure, sizeof failure)) < 0 && errno == EINTR) {}
  if (n == sizeof failure) {
    wait_status(std::exchange(pid_, -1));
    if (failure.stage == 1)
      throw ProgramNotStarted("cannot run '" + argv_[0] + "' as user '" + user->name + "': " + std::strerror(failure.error) +
                      (failure.error == EINVAL || failure.error == EPERM
                           ? " (a rootless run maps only you into its namespace: it runs programs as you; "
                             "run as root for `user:`)"
                           : ""));
    throw ProgramNotStarted("cannot run '" + argv_[0] + "': " + std::strerror(failure.error));
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
