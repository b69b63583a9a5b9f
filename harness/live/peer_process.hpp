// One closepath-peer process inside an endpoint namespace, driven over a
// socketpair with one JSON line per command and per answer.
//
// Ownership: the process is killed (SIGKILL) and reaped when this object is
// destroyed; it also dies with the harness (PR_SET_PDEATHSIG), so a killed
// harness leaves no peer behind to keep a namespace alive.
#pragma once

#include "command.hpp"
#include "netns.hpp"
#include "outcome.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/streambuf.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <sys/types.h>

namespace closepath {

// The peer died, hung past its deadline or rejected a command: a harness or
// host problem, not a close-path outcome.
struct PeerError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class PeerProcess {
 public:
  // `runtime` names what the program is written in (protocol/runtimes.hpp): its answers' words are that runtime's.
  PeerProcess(const NetNamespace& ns, const std::string& role, const std::string& runtime,
              const std::filesystem::path& program, const std::vector<std::string>& args);
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;
  ~PeerProcess();

  // Waits up to `limit` for the peer's first line, {"hello": ...}: it is up
  // and reads its channel. Paid before the timeline starts, so no step's
  // deadline ever includes the peer's own start (seconds on a slow machine).
  void await_hello(std::chrono::milliseconds limit);
  // Sends one command and waits up to `limit` for its answer.
  protocol::Outcome call(protocol::Command command, std::chrono::milliseconds limit);
  // Sends one command without waiting (its id is assigned here); returns the id for await().
  int send(protocol::Command command);
  // The answer to command `id` (answers to others are kept for later).
  protocol::Outcome await(int id, std::chrono::milliseconds limit);
  // Sends "crash" and waits for the process to die; returns how it died.
  protocol::Outcome crash(std::chrono::milliseconds limit);
  // SIGKILL and reap; idempotent.
  void kill();
  pid_t pid() const { return pid_; }  // -1 once gone
  const std::string& runtime() const { return runtime_; }

 private:
  // How the peer ended, if it has (waiting up to `grace` for its exit after the channel closed), else "".
  std::string describe_exit(std::chrono::milliseconds grace = std::chrono::milliseconds(0));
  static constexpr std::chrono::milliseconds kExitGrace{1000};
  // Reads one line within `deadline`; nullopt when the channel closed. `op` names what it waits for, in messages.
  std::optional<std::string> read_line(std::chrono::steady_clock::time_point deadline, const std::string& op);
  // Reads one answer line within `deadline`; nullopt when the channel closed.
  std::optional<std::pair<int, protocol::Outcome>> read_answer(std::chrono::steady_clock::time_point deadline, const std::string& op);

  std::string role_;
  std::string runtime_;
  boost::asio::io_context io_;
  boost::asio::local::stream_protocol::socket control_;
  boost::asio::posix::stream_descriptor wake_;  // a dup of interrupt's wake_fd(): readable once interrupted
  boost::asio::streambuf buffer_;
  pid_t pid_ = -1;
  int next_id_ = 0;
  std::map<int, protocol::Outcome> answers_;  // arrived, not yet awaited
  std::map<int, std::string> ops_;         // id -> op, for messages
};

}  // namespace closepath
