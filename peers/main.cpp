// closepath-peer: one endpoint of a scenario, started by the harness inside
// its network namespace. Commands arrive as JSON lines on the control channel
// (file descriptor 3, a socketpair, never the network under test); each gets
// one JSON line back with the same "id" and the action's outcome.
//
// A malformed command is answered with {"id":..., "fatal": "..."} and the
// peer exits 2: that is a harness bug, not a close-path outcome.
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

namespace asio = boost::asio;
using closepath::peer::Endpoint;

namespace {

constexpr int kControlFd = 3;

asio::awaitable<void> write_line(asio::posix::stream_descriptor& control, const nlohmann::json& j) {
  const std::string line = j.dump() + "\n";
  co_await asio::async_write(control, asio::buffer(line), asio::use_awaitable);
}

asio::awaitable<void> serve(asio::posix::stream_descriptor& control, Endpoint& endpoint, int& exit_code) {
  asio::streambuf buffer;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(control, buffer, '\n', asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;  // the harness went away: nothing more to do
    std::string line(asio::buffers_begin(buffer.data()), asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(n));
    buffer.consume(n);
    nlohmann::json reply;
    bool stop = false;
    try {
      const auto command = nlohmann::json::parse(line);
      reply["id"] = command.at("id");
      if (command.at("op") == "exit") {
        reply["end"] = "ok";
        stop = true;
      } else {
        const auto start = closepath::peer::monotonic_ns();
        auto outcome = co_await endpoint.execute(command);
        outcome.start_ns = start;
        outcome.end_ns = closepath::peer::monotonic_ns();
        reply.update(closepath::peer::to_json(outcome));
      }
    } catch (const std::exception& e) {
      reply["fatal"] = e.what();
      exit_code = 2;
      stop = true;
    }
    co_await write_line(control, reply);
    if (stop) co_return;
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
                      {asio::ip::make_address(remote), client ? port : client_port});
    int exit_code = 0;
    asio::co_spawn(io, serve(control, endpoint, exit_code), asio::detached);
    io.run();
    return exit_code;
  } catch (const std::exception& e) {
    std::cerr << "closepath-peer (" << role << "): " << e.what() << "\n";
    return 2;
  }
}
