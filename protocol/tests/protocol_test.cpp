#define BOOST_TEST_MODULE closepath_protocol
#include "action_grammar.hpp"
#include "command.hpp"
#include "outcome.hpp"
#include "runtimes.hpp"
#include "quoted_text.hpp"
#include "socket_options.hpp"
#include "spec.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <boost/test/unit_test.hpp>

using namespace closepath::protocol;

namespace {

// Each action's own example, as the words after which no outcome, deadline or '&' comes.
Words example_words(const std::string& example) {
  auto words = step_words(example.substr(0, std::min(example.size(), find_unquoted(example, "->"))));
  if (!words.empty() && words.back() == "&") words.pop_back();
  if (words.size() > 2 && words[words.size() - 2] == "within") words.resize(words.size() - 2);
  return words;
}

// One command of every kind the runner sends (Await and Destroy never cross the channel): each
// action's example, so a new action is covered by its entry, and the forms examples do not show.
std::vector<Action> every_sent_action() {
  std::vector<Action> actions;
  closepath::for_each_alternative<Action>([&](auto tag, std::size_t) {
    using T = typename decltype(tag)::type;
    if constexpr (requires { T::parse(Words{}); }) actions.push_back(parse_words<Action>(example_words(T::example)));
  });
  for (const char* more : {"connect port 8443", "send 7", "send \"\\x00\\xff\\r\\n\"", "recv", "recv 9", "recv all",
                           "set linger off", "get so_error", "get tcp_info"})
    actions.push_back(parse_words<Action>(step_words(more)));
  actions.push_back(TlsSetup{.ca_pem = "CA", .cert_pem = "C", .key_pem = "K"});
  return actions;
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
  BOOST_TEST(message({{"id", 1}, {"op", "send"}, {"n", 2}, {"hex", "zz"}}) == "'send': 'hex' is not hexadecimal bytes");
  BOOST_TEST(message({{"id", 1}, {"op", "send"}, {"n", 2}, {"hex", "41"}}) == "'send': 'n' is not the length of 'hex'");
  BOOST_TEST(message(nlohmann::json::array()) == "a command must be a JSON object");
}

BOOST_AUTO_TEST_CASE(outcomes_round_trip) {
  Outcome o{.end = "ssl_error", .bytes = 3, .deadline = true, .announced = 10,
            .error = ErrorDetail{"asio.ssl", 5, "bad record mac"}, .errno_value = 104, .signal = 9,
            .tcp_info = TcpInfo{"FIN_WAIT1", {{"retransmits", 3}, {"unacked", 1}}}, .start_ns = 11, .end_ns = 22,
            .runtime = "asio"};
  const auto back = parse_outcome(nlohmann::json::parse(to_json(o).dump()));
  BOOST_TEST(to_json(back).dump() == to_json(o).dump());
  BOOST_TEST(back.tcp_info->state == "FIN_WAIT1");
  BOOST_TEST(back.tcp_info->counters.at("retransmits") == 3u);
  BOOST_CHECK_THROW(parse_outcome(nlohmann::json{{"bytes", 1}}), std::invalid_argument);
  BOOST_CHECK_THROW(parse_outcome(nlohmann::json{{"end", "ok"}, {"bytes", "x"}}), std::invalid_argument);
}

// A runtime's words name the end: the errno first (Python's ETIMEDOUT is a TimeoutError), then the table.
BOOST_AUTO_TEST_CASE(a_runtime_error_is_named_by_its_errno_then_by_the_table) {
  auto end_for = [](const std::string& runtime, nlohmann::json said) {
    return parse_outcome({{"bytes", 0}, {"runtime", std::move(said)}}, runtime);
  };
  const auto deadline = end_for("python", {{"said", "TimeoutError: timed out"}, {"is", {"TimeoutError", "OSError"}}});
  BOOST_TEST(deadline.end == "deadline_exceeded");
  BOOST_TEST(deadline.runtime == "python");
  BOOST_TEST(deadline.said->text == "TimeoutError: timed out");
  auto timedout = parse_outcome({{"bytes", 0}, {"errno", 110}, {"runtime", {{"said", "TimeoutError: [Errno 110]"}, {"is", {"TimeoutError"}}}}},
                                "python");
  BOOST_TEST(timedout.end == "ETIMEDOUT");
  BOOST_TEST(end_for("go", {{"said", "EOF"}, {"is", {"io.EOF", "*errors.errorString"}}}).end == "eof");
  BOOST_TEST(end_for("go", {{"said", "use of closed network connection"}, {"is", {"net.ErrClosed"}}}).end == "EBADF");
  // Words no table entry names: the runtime's own, never a guess.
  BOOST_TEST(end_for("go", {{"said", "odd"}, {"is", {"*main.oddError"}}}).end == "go:*main.oddError");
  // A runtime's words in another runtime's table mean nothing there.
  BOOST_TEST(end_for("python", {{"said", "EOF"}, {"is", {"io.EOF"}}}).end == "python:io.EOF");
  // What was said survives the report and its reading back.
  BOOST_TEST(to_json(parse_outcome(to_json(deadline))).dump() == to_json(deadline).dump());
  BOOST_CHECK_THROW(parse_outcome(nlohmann::json{{"bytes", 0}, {"runtime", {{"said", "x"}}}}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(the_runtime_table_names_known_runtimes_and_end_words) {
  for (const auto& w : kRuntimeWords) {
    BOOST_TEST(find_runtime(w.runtime) != nullptr, w.word);
    BOOST_TEST((is_end_word(w.end) || std::string(w.end).starts_with("E")), w.word);
  }
  BOOST_TEST(find_runtime("asio")->program == std::string("closepath-peer"));
  BOOST_TEST(find_runtime("rust") == nullptr);
}

// The spec's fields are what the code writes: each action's example on the channel, and a full answer.
BOOST_AUTO_TEST_CASE(the_spec_names_every_field_the_channel_carries) {
  const auto spec = protocol_spec();
  auto names_in = [](const nlohmann::json& fields) {
    std::set<std::string> names;
    for (const auto& f : fields) names.insert(f["name"].get<std::string>());
    return names;
  };
  const auto common = names_in(spec["command_fields"]);
  std::map<std::string, std::set<std::string>> declared;
  for (const auto& op : spec["ops"]) declared[op["op"].get<std::string>()] = names_in(op["fields"]);
  closepath::for_each_alternative<Action>([&](auto tag, std::size_t) {
    using T = typename decltype(tag)::type;
    std::vector<Action> samples;
    if constexpr (requires { T::example; }) {
      // The example's action alone: its outcome, deadline and '&' are the step's.
      auto words = split_words(std::string(T::example).substr(0, std::string(T::example).find(" ->")));
      if (const auto w = std::find(words.begin(), words.end(), "within"); w != words.end()) words.erase(w, w + 2);
      if (!words.empty() && words.back() == "&") words.pop_back();
      samples.push_back(parse_words<Action>(words));
    }
    else samples.push_back(TlsSetup{"ca", "cert", "key"});
    for (const auto& a : samples) {
      const auto command = to_json(Command{.id = 1, .action = a});
      for (const auto& [key, value] : command.items())
        BOOST_TEST((common.contains(key) || declared.at(T::op).contains(key)), T::op << ": '" << key << "' is not in the spec");
    }
  });
  Outcome full{.end = "ok", .bytes = 1, .deadline = true, .announced = 2, .error = ErrorDetail{"system", 1, "x"},
               .errno_value = 1, .signal = 9, .tcp_info = TcpInfo{"CLOSE", {}}, .data = "x", .start_ns = 1, .end_ns = 2,
               .runtime = "go", .said = RuntimeSaid{"x", {"io.EOF"}}};
  const auto answer_fields = names_in(spec["outcome_fields"]);
  const auto answer = to_json(full);
  for (const auto& [key, value] : answer.items()) BOOST_TEST(answer_fields.contains(key), "'" << key << "' is not in the spec");
  BOOST_TEST(spec["ops"].size() == std::variant_size_v<Action>);
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

// Chosen bytes: quoted words keep their blanks and quotes; escapes become bytes and back.
BOOST_AUTO_TEST_CASE(quoted_text_is_one_word_of_chosen_bytes) {
  const auto words = step_words("send \"GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n\"  within 1s");
  BOOST_TEST(words.size() == 4u);
  BOOST_TEST(*quoted_text(words[1]) == "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST(*quoted_text("\"a\\\"b\\\\c\\t\\x41\\x0a\"") == "a\"b\\c\tA\n");
  BOOST_TEST(!quoted_text("100").has_value());  // `send 100` is a count, `send "100"` three bytes
  BOOST_TEST(quote_text(std::string("a\"\r\n\x01\xff", 6)) == "\"a\\\"\\r\\n\\x01\\xff\"");
  BOOST_TEST(*quoted_text(quote_text(std::string("\0\x7f ok", 5))) == std::string("\0\x7f ok", 5));
  BOOST_TEST(find_unquoted("send \"a -> b\" -> 5", "->") == 14u);
  BOOST_TEST(find_unquoted("send \"a -> b\"", "->") == std::string::npos);
  BOOST_CHECK_THROW(step_words("send \"open"), std::invalid_argument);
  BOOST_CHECK_THROW(quoted_text("\"\\q\""), std::invalid_argument);
  BOOST_CHECK_THROW(quoted_text("\"\\x4\""), std::invalid_argument);
  BOOST_CHECK_THROW(parse_words<Action>(step_words("send \"\"")), std::invalid_argument);
  const auto sent = std::get<Send>(parse_words<Action>(step_words("send \"PING\\r\\n\"")));
  BOOST_TEST(sent.bytes == 6u);
  BOOST_TEST(*sent.data == "PING\r\n");
}

BOOST_AUTO_TEST_CASE(a_file_to_send_is_read_with_the_scenario) {
  auto send = std::get<Send>(parse_words<Action>(step_words("send file {dir}/no-such-file")));
  BOOST_TEST(send.file == "{dir}/no-such-file");
  BOOST_CHECK_EXCEPTION(Send::read_files(send, "/nonexistent"), std::invalid_argument, [](const std::invalid_argument& e) {
    return std::string(e.what()) == "send file: cannot open '/nonexistent/no-such-file': No such file or directory";
  });
  auto elsewhere = std::get<Send>(parse_words<Action>(step_words("send file {out}/x")));
  BOOST_CHECK_THROW(Send::read_files(elsewhere, "/tmp"), std::invalid_argument);
  auto dir = std::get<Send>(parse_words<Action>(step_words("send file /")));
  BOOST_CHECK_EXCEPTION(Send::read_files(dir, "/tmp"), std::invalid_argument, [](const std::invalid_argument& e) {
    return std::string(e.what()) == "send file: '/' is a directory";
  });
  auto real = std::get<Send>(parse_words<Action>(step_words("send file /proc/self/cmdline")));
  Send::read_files(real, "/tmp");
  BOOST_TEST(real.bytes > 0u);
  BOOST_TEST(real.data->size() == real.bytes);
  BOOST_TEST(real.file.empty());
}

BOOST_AUTO_TEST_SUITE_END()
