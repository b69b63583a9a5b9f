// One closepath-peer process inside an endpoint namespace, driven over a
// socketpair with one JSON line per command and per answer.
//
// Ownership: the process is killed (SIGKILL) and reaped when this object is
// destroyed; it also dies with the harness (PR_SET_PDEATHSIG), so a killed
// harness leaves no peer behind to keep a namespace alive.
#pragma once

#include "netns.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
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
  PeerProcess(const NetNamespace& ns, const std::string& role, const std::filesystem::path& program,
              const std::vector<std::string>& args);
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;
  ~PeerProcess();

  // Sends one command and waits up to `limit` for its answer.
  nlohmann::json call(nlohmann::json command, std::chrono::milliseconds limit);
  // Sends one command without waiting; returns its id for await().
  int send(nlohmann::json command);
  // The answer to command `id` (answers to others are kept for later).
  nlohmann::json await(int id, std::chrono::milliseconds limit);
  // Sends "crash" and waits for the process to die; returns how it died.
  nlohmann::json crash(std::chrono::milliseconds limit);
  // SIGKILL and reap; idempotent.
  void kill();

 private:
  std::string describe_exit();
  // Reads one answer line within `deadline`; nullopt when the channel closed.
  std::optional<nlohmann::json> read_answer(std::chrono::steady_clock::time_point deadline, const std::string& op);

  std::string role_;
  boost::asio::io_context io_;
  boost::asio::local::stream_protocol::socket control_;
  boost::asio::streambuf buffer_;
  pid_t pid_ = -1;
  int next_id_ = 0;
  std::map<int, nlohmann::json> answers_;  // arrived, not yet awaited
  std::map<int, std::string> ops_;         // id -> op, for messages
};

}  // namespace closepath
