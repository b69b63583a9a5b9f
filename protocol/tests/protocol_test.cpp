#define BOOST_TEST_MODULE closepath_protocol
#include "command.hpp"
#include "outcome.hpp"
#include "socket_options.hpp"

#include <boost/test/unit_test.hpp>

using namespace closepath::protocol;

namespace {

// One command of every kind the runner sends (Await and Destroy never cross the channel).
std::vector<Action> every_sent_action() {
  return {Listen{},         Connect{},        Connect{.port = 8443}, Accept{},
          Send{.bytes = 7}, Recv{},           Recv{.mode = Recv::Mode::exact, .bytes = 9},
          Recv{.mode = Recv::Mode::all},      Shutdown{.how = "wr"}, Close{},
          SetOption{.name = "linger", .value = -1},                  SendMessage{.announce = 10, .bytes = 4},
          RecvMessage{},    TlsHandshake{},   TlsStall{},            TlsCloseNotify{},
          Crash{},          Drain{},          Poll{},                TlsSetup{.ca_pem = "CA", .cert_pem = "C", .key_pem = "K"},
          Get{.item = Get::Item::so_error},   Get{.item = Get::Item::tcp_info}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(protocol)

// Every action survives the channel: what the runner writes, the peer reads back the same.
BOOST_AUTO_TEST_CASE(every_action_round_trips) {
  std::size_t kinds = 0;
  std::vector<bool> seen(std::variant_size_v<Action>);
  for (const auto& action : every_sent_action()) {
    const Command sent{.id = 42, .action = action, .within = std::chrono::milliseconds(1234)};
    const auto text = to_json(sent).dump();
    const auto back = parse_command(nlohmann::json::parse(text));
    BOOST_TEST(back.id == 42);
    BOOST_TEST(back.within.count() == 1234);
    BOOST_TEST(back.action.index() == action.index(), text);
    BOOST_TEST(to_json(back).dump() == text);  // same op, same fields
    if (!seen[action.index()]) ++kinds, seen[action.index()] = true;
  }
  BOOST_TEST(kinds == std::variant_size_v<Action>);  // every action that crosses the channel
}

BOOST_AUTO_TEST_CASE(the_runners_own_steps_never_cross_the_channel) {
  BOOST_CHECK_THROW(parse_command(nlohmann::json{{"id", 1}, {"op", "await"}}), std::invalid_argument);
  BOOST_CHECK_THROW(parse_command(nlohmann::json{{"id", 1}, {"op", "destroy"}}), std::invalid_argument);
}

// A malformed command is refused with a message that names what is wrong.
BOOST_AUTO_TEST_CASE(malformed_commands_name_the_problem) {
  auto message = [](const nlohmann::json& j) -> std::string {
    try {
      parse_command(j);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "accepted";
  };
  BOOST_TEST(message({{"id", 1}, {"op", "teleport"}}) == "unknown op 'teleport'");
  BOOST_TEST(message({{"id", 1}, {"op", "send"}}) == "'send' needs 'n'");
  BOOST_TEST(message({{"id", 1}, {"op", "send"}, {"n", "many"}}) == "'send': 'n' has the wrong type");
  BOOST_TEST(message({{"id", 1}, {"op", "recv"}, {"mode", "sideways"}}) == "'recv': unknown mode 'sideways'");
  BOOST_TEST(message({{"op", "close"}}) == "'close' needs 'id'");
  BOOST_TEST(message({{"id", 1}, {"op", "get"}, {"item", "SO_RCVBUF"}}) == "'get': unknown item 'SO_RCVBUF'");
  BOOST_TEST(message(nlohmann::json::array()) == "a command must be a JSON object");
}

BOOST_AUTO_TEST_CASE(outcomes_round_trip) {
  Outcome o{.end = "ssl_error", .bytes = 3, .deadline = true, .announced = 10,
            .error = ErrorDetail{"asio.ssl", 5, "bad record mac"}, .errno_value = 104, .signal = 9,
            .tcp_info = TcpInfo{"FIN_WAIT1", {{"retransmits", 3}, {"unacked", 1}}}, .start_ns = 11, .end_ns = 22};
  const auto back = parse_outcome(nlohmann::json::parse(to_json(o).dump()));
  BOOST_TEST(to_json(back).dump() == to_json(o).dump());
  BOOST_TEST(back.tcp_info->state == "FIN_WAIT1");
  BOOST_TEST(back.tcp_info->counters.at("retransmits") == 3u);
  BOOST_CHECK_THROW(parse_outcome(nlohmann::json{{"bytes", 1}}), std::invalid_argument);
  BOOST_CHECK_THROW(parse_outcome(nlohmann::json{{"end", "ok"}, {"bytes", "x"}}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(socket_option_table_knows_the_grammar_names) {
  for (const char* name : {"linger", "nodelay", "rcvbuf", "sndbuf", "keepalive", "keepidle", "keepintvl", "keepcnt",
                           "user_timeout", "linger2"})
    BOOST_TEST(find_socket_option(name) != nullptr, name);
  BOOST_TEST(find_socket_option("SO_DEBUG") == nullptr);
  BOOST_TEST(socket_option_names().find("user_timeout") != std::string::npos);
  BOOST_TEST(is_end_word("eof"));
  BOOST_TEST(!is_end_word("ECONNRESET"));  // errno names are the grammar's own check
}

BOOST_AUTO_TEST_SUITE_END()
