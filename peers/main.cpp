// closepath-peer: one endpoint of a scenario, started by the harness inside
// its network namespace. Commands arrive as JSON lines on the control channel
// (file descriptor 3, a socketpair, never the network under test); each gets
// one JSON line back with the same "id" and the action's outcome. Its first
// line, before any command, is {"hello": "closepath-peer", "pid": N}.
//
// Commands run concurrently, so a background step leaves the channel free.
// A malformed command is answered with {"id":..., "fatal": "..."} and the
// peer exits 2: that is a harness bug, not a close-path outcome.
#include "clock.hpp"
#include "endpoint.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <CLI/CLI.hpp>

#include <iostream>

#include <unistd.h>

namespace asio = boost::asio;
using closepath::peer::Endpoint;

namespace {

constexpr int kControlFd = 3;

// One line per answer, written whole: answers of concurrent actions never interleave.
void write_line(asio::posix::stream_descriptor& control, const nlohmann::json& j) {
  const std::string line = j.dump() + "\n";
  boost::system::error_code ignored;  // a harness that went away reads nothing more
  asio::write(control, asio::buffer(line), ignored);
}

// Runs one command and answers it. Commands run concurrently: a background
// step (a read waiting for a timeout, a handshake) leaves the channel free.
asio::awaitable<void> run_command(asio::io_context& io, asio::posix::stream_descriptor& control, Endpoint& endpoint,
                                  closepath::protocol::Command command, int& exit_code) {
  nlohmann::json reply;
  reply["id"] = command.id;
  try {
    const auto start = closepath::protocol::now_ns();
    auto outcome = co_await endpoint.execute(command);
    outcome.start_ns = start;
    outcome.end_ns = closepath::protocol::now_ns();
    reply.update(closepath::protocol::to_json(closepath::peer::to_protocol(outcome)));
  } catch (const std::exception& e) {
    reply["fatal"] = e.what();
    exit_code = 2;
  }
  write_line(control, reply);
  if (reply.contains("fatal")) io.stop();
}

asio::awaitable<void> serve(asio::io_context& io, asio::posix::stream_descriptor& control, Endpoint& endpoint,
                            int& exit_code) {
  asio::streambuf buffer;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(control, buffer, '\n', asio::as_tuple(asio::use_awaitable));
    if (ec) {  // the harness went away: nothing more to do
      io.stop();
      co_return;
    }
    std::string line(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(n));
    buffer.consume(n);
    closepath::protocol::Command command;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    try {
      command = closepath::protocol::parse_command(j);
    } catch (const std::exception& e) {  // the protocol's invalid_argument, or a line that is no JSON
      // The command's own id when it has one (an unknown op, a field missing), else -1.
      const int id = j.is_object() && j.contains("id") && j["id"].is_number_integer() ? j["id"].get<int>() : -1;
      write_line(control, {{"id", id}, {"fatal", std::string("malformed command: ") + e.what() + ": " + line}});
      exit_code = 2;
      io.stop();
      co_return;
    }
    asio::co_spawn(control.get_executor(), run_command(io, control, endpoint, std::move(command), exit_code), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"closepath-peer: one scripted TCP endpoint, driven over fd 3 by closepath"};
  std::string role, local, remote;
  unsigned short port = 0, client_port = 0;
  app.add_option("--role", role, "client or server (for messages)")->required();
  app.add_option("--local", local, "this endpoint's address")->required();
  app.add_option("--remote", remote, "the other endpoint's address")->required();
  app.add_option("--port", port, "the server's port")->required();
  app.add_option("--client-port", client_port, "the port the client binds (unique per run)")->required();
  CLI11_PARSE(app, argc, argv);

  try {
    asio::io_context io;
    asio::posix::stream_descriptor control(io, kControlFd);
    const bool client = role == "client";
    Endpoint endpoint(io.get_executor(), {asio::ip::make_address(local), client ? client_port : port},
                      {asio::ip::make_address(remote), client ? port : client_port}, client);
    int exit_code = 0;
    // The first line: up and reading (the harness starts no timeline before it).
    write_line(control, {{"hello", "closepath-peer"}, {"pid", ::getpid()}});
    asio::co_spawn(io, serve(io, control, endpoint, exit_code), asio::detached);
    io.run();
    return exit_code;
  } catch (const std::exception& e) {
    std::cerr << "closepath-peer (" << role << "): " << e.what() << "\n";
    return 2;
  }
}
