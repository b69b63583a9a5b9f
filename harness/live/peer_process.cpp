#include "peer_process.hpp"

#include "child_process.hpp"
#include "errors.hpp"
#include "interrupt.hpp"
#include "runtimes.hpp"
#include "unique_fd.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace closepath {

namespace asio = boost::asio;

PeerProcess::PeerProcess(const NetNamespace& ns, const std::string& role, const std::string& runtime,
                         const std::filesystem::path& program, const std::vector<std::string>& args)
    : role_(role), runtime_(runtime), control_(io_), wake_(io_, ::dup(wake_fd())) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
    throw HostError(std::string("socketpair: ") + std::strerror(errno));
  std::vector<std::string> argv{program.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  const pid_t parent = getpid();
  try {
    pid_ = exec_in(ns, [&] {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(1);  // the harness died before prctl took effect
      if (dup2(pair[1], 3) != 3) _exit(126);  // fd 3 is the control channel
      close_range(4, ~0U, 0);                  // capture sockets, other peers' channels
      execv(cargv[0], cargv.data());
    });
  } catch (const HostError&) {
    close(pair[0]);
    close(pair[1]);
    throw;
  }
  close(pair[1]);
  control_.assign(asio::local::stream_protocol(), pair[0]);
}

PeerProcess::~PeerProcess() { kill(); }

void PeerProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  wait_status(pid_);
  pid_ = -1;
}

std::string PeerProcess::describe_exit(std::chrono::milliseconds grace) {
  int status = 0;
  // A process closes its descriptors before it can be reaped: after the channel's EOF, its exit
  // status comes a moment later. The pidfd says when; a peer that closed the channel and lives on
  // is described as it is once the grace has passed.
  if (pid_ > 0 && grace.count() > 0) {
    const UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
    pollfd ready{.fd = pidfd.get(), .events = POLLIN, .revents = 0};
    if (pidfd) while (::poll(&ready, 1, static_cast<int>(grace.count())) < 0 && errno == EINTR) {}
  }
  if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    if (WIFSIGNALED(status)) return " (the " + role_ + " peer died of signal " + strsignal(WTERMSIG(status)) + ")";
    return " (the " + role_ + " peer exited with status " + std::to_string(WEXITSTATUS(status)) + ")";
  }
  return "";
}

int PeerProcess::send(protocol::Command command) {
  const int id = ++next_id_;
  command.id = id;
  ops_[id] = protocol::op_name(command.action);
  boost::system::error_code ec;
  asio::write(control_, asio::buffer(protocol::to_json(command).dump() + "\n"), ec);
  if (ec) throw PeerError(role_ + " peer: cannot send a command: " + ec.message() + describe_exit());
  return id;
}

std::optional<std::string> PeerProcess::read_line(std::chrono::steady_clock::time_point deadline, const std::string& op) {
  // Three things end the wait, whichever comes first: the line, the deadline, an interrupt (or a stuck run).
  std::optional<boost::system::error_code> done;
  std::size_t length = 0;
  bool late = false, woken = false;
  asio::async_read_until(control_, buffer_, '\n', [&](const boost::system::error_code& e, std::size_t n) {
    done = e;
    length = n;
  });
  asio::steady_timer timer(io_, deadline);
  timer.async_wait([&](const boost::system::error_code& e) { late = !e; });
  wake_.async_wait(asio::posix::stream_descriptor::wait_read, [&](const boost::system::error_code& e) { woken = !e; });
  // Asio's reactor is edge-triggered: an interrupt from before the wait was queued shows only here.
  woken = woken || interrupted();
  io_.restart();
  while (!done && !late && !woken) io_.run_one();
  timer.cancel();
  wake_.cancel();
  if (!done) control_.cancel();
  io_.restart();
  io_.run();  // the cancelled handlers complete
  if (!done || *done == asio::error::operation_aborted) {
    check_interrupted();
    throw PeerError(role_ + " peer: no answer to '" + op + "' in time" + describe_exit());
  }
  if (*done == asio::error::eof) return std::nullopt;
  if (*done) throw PeerError(role_ + " peer: control channel: " + done->message() + describe_exit());
  const auto begin = asio::buffers_begin(buffer_.data());
  std::string line(begin, begin + static_cast<std::ptrdiff_t>(length));
  buffer_.consume(length);
  return line;
}

void PeerProcess::await_hello(std::chrono::milliseconds limit) {
  const auto line = read_line(std::chrono::steady_clock::now() + limit, "start");
  if (!line) throw PeerError(role_ + " peer: ended before it said hello" + describe_exit(kExitGrace));
  const auto hello = nlohmann::json::parse(*line, nullptr, false);
  if (hello.is_discarded() || !hello.is_object() || !hello.contains("hello"))
    throw PeerError(role_ + " peer: its first line is not a hello: " + *line);
  const auto said = hello.contains("runtime") && hello["runtime"].is_string() ? hello["runtime"].get<std::string>()
                                                                              : std::string(protocol::kDefaultRuntime);
  if (said != runtime_)
    throw PeerError(role_ + " peer: started as the " + runtime_ + " peer, it says it is " + said + ": " + *line);
}

std::optional<std::pair<int, protocol::Outcome>> PeerProcess::read_answer(std::chrono::steady_clock::time_point deadline,
                                                                           const std::string& op) {
  const auto read = read_line(deadline, op);
  if (!read) return std::nullopt;
  const std::string& line = *read;
  auto answer = nlohmann::json::parse(line, nullptr, false);
  if (answer.is_discarded() || !answer.contains("id") || !answer["id"].is_number_integer())
    throw PeerError(role_ + " peer: malformed answer: " + line);
  if (answer.contains("fatal")) throw PeerError(role_ + " peer rejected a command: " + (answer["fatal"].is_string() ? answer["fatal"].get<std::string>() : answer["fatal"].dump()));
  try {
    return std::pair{answer["id"].get<int>(), protocol::parse_outcome(answer, runtime_)};
  } catch (const std::invalid_argument& e) {
    throw PeerError(role_ + " peer: " + e.what());
  }
}

protocol::Outcome PeerProcess::await(int id, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  const std::string op = ops_.count(id) ? ops_[id] : "?";
  while (!answers_.count(id)) {
    auto answer = read_answer(deadline, op);
    if (!answer) throw PeerError(role_ + " peer: control channel closed before answering '" + op + "'" + describe_exit(kExitGrace));
    answers_[answer->first] = std::move(answer->second);
  }
  auto answer = std::move(answers_[id]);
  answers_.erase(id);
  return answer;
}

protocol::Outcome PeerProcess::call(protocol::Command command, std::chrono::milliseconds limit) {
  return await(send(std::move(command)), limit);
}

protocol::Outcome PeerProcess::crash(std::chrono::milliseconds limit) {
  const auto start = std::chrono::steady_clock::now();
  send({.action = protocol::Crash{}, .within = limit});
  // The peer answers nothing: it dies, and its end of the channel closes.
  while (read_answer(start + limit, "crash")) {}
  const int status = wait_status(pid_);
  pid_ = -1;
  protocol::Outcome outcome;
  outcome.runtime = runtime_;
  outcome.end = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? protocol::end::killed : "exited";
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  return outcome;
}

}  // namespace closepath
