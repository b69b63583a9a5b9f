#include "peer_command.hpp"

#include "overloaded.hpp"

namespace closepath {

nlohmann::json peer_command(const PeerStep& step) {
  nlohmann::json c = std::visit(
      overloaded{
          [](const Listen&) { return nlohmann::json{{"op", "listen"}}; },
          [](const Connect& a) {
            nlohmann::json j{{"op", "connect"}};
            if (a.port) j["port"] = *a.port;
            return j;
          },
          [](const Accept&) { return nlohmann::json{{"op", "accept"}}; },
          [](const Send& a) { return nlohmann::json{{"op", "send"}, {"n", a.bytes}}; },
          [](const Recv& a) {
            switch (a.mode) {
              case Recv::Mode::some: return nlohmann::json{{"op", "recv"}, {"mode", "some"}};
              case Recv::Mode::exact: return nlohmann::json{{"op", "recv"}, {"mode", "exact"}, {"n", a.bytes}};
              case Recv::Mode::all: return nlohmann::json{{"op", "recv"}, {"mode", "all"}};
            }
            return nlohmann::json{};
          },
          [](const Shutdown& a) { return nlohmann::json{{"op", "shutdown"}, {"how", a.how}}; },
          [](const Close&) { return nlohmann::json{{"op", "close"}}; },
          [](const SetOption& a) { return nlohmann::json{{"op", "set"}, {"name", a.name}, {"value", a.value}}; },
          [](const SendMessage& a) {
            return nlohmann::json{{"op", "send_message"}, {"announce", a.announce}, {"n", a.bytes}};
          },
          [](const RecvMessage&) { return nlohmann::json{{"op", "recv_message"}}; },
          [](const TlsHandshake&) { return nlohmann::json{{"op", "tls_handshake"}}; },
          [](const TlsStall&) { return nlohmann::json{{"op", "tls_stall"}}; },
          [](const TlsCloseNotify&) { return nlohmann::json{{"op", "tls_close_notify"}}; },
          [](const Crash&) { return nlohmann::json{{"op", "crash"}}; },
          [](const Await&) { return nlohmann::json{{"op", "await"}}; },  // handled by the runner, never sent
          [](const Drain&) { return nlohmann::json{{"op", "drain"}}; },
      },
      step.action);
  c["within_ms"] = step.within.count();
  return c;
}

}  // namespace closepath
