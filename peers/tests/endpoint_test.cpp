#define BOOST_TEST_MODULE closepath_peer
// The endpoint's actions between a client and a server Endpoint on 127.0.0.1,
// driven through execute() as the control channel drives them: what each
// application is told (end word, bytes, whose deadline), without root.
#include "action_grammar.hpp"
#include "endpoint.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <deque>
#include <future>
#include <random>

using namespace closepath;
using peer::Endpoint;
namespace asio = boost::asio;

namespace {

// Two endpoints of one connection on loopback, on ports of their own.
struct Pair {
  asio::io_context io;
  unsigned short server_port, client_port;
  Endpoint server, client;
  Pair() : Pair(ports()) {}

  // Runs the commands concurrently (accept beside connect) until all have answered.
  std::vector<peer::Outcome> run(std::vector<std::pair<Endpoint*, std::string>> steps) {
    std::vector<std::future<peer::Outcome>> answers;
    std::deque<protocol::Command> commands;  // execute() holds a reference until it has run
    for (auto& [endpoint, text] : steps) {
      auto words = protocol::step_words(text);
      auto within = std::chrono::milliseconds(2000);
      if (words.size() > 2 && words[words.size() - 2] == "within") {  // (in ms here)
        within = std::chrono::milliseconds(std::stoi(words.back()));
        words.resize(words.size() - 2);
      }
      auto& c = commands.emplace_back(protocol::Command{.action = protocol::parse_words<protocol::Action>(words), .within = within});
      answers.push_back(asio::co_spawn(io, endpoint->execute(c), asio::use_future));
    }
    io.restart();
    io.run();
    std::vector<peer::Outcome> out;
    for (auto& a : answers) out.push_back(a.get());
    return out;
  }
  peer::Outcome one(Endpoint& e, const std::string& text) { return run({{&e, text}}).front(); }

  void connect() {
    BOOST_REQUIRE_EQUAL(one(server, "listen").end, "ok");
    const auto both = run({{&server, "accept"}, {&client, "connect"}});
    BOOST_REQUIRE_EQUAL(both[0].end, "ok");
    BOOST_REQUIRE_EQUAL(both[1].end, "ok");
  }

 private:
  static std::pair<unsigned short, unsigned short> ports() {
    std::random_device rd;
    const auto base = static_cast<unsigned short>(40000 + rd() % 10000 * 2);
    return {base, static_cast<unsigned short>(base + 1)};
  }
  explicit Pair(std::pair<unsigned short, unsigned short> p)
      : server_port(p.first), client_port(p.second),
        server(io.get_executor(), {asio::ip::make_address("127.0.0.1"), server_port}, {}, false),
        client(io.get_executor(), {asio::ip::make_address("127.0.0.1"), client_port},
               {asio::ip::make_address("127.0.0.1"), server_port}, true) {}
};

}  // namespace

BOOST_AUTO_TEST_SUITE(endpoint)

// recv until takes the line and nothing past it; the cut-off rest comes with eof.
BOOST_AUTO_TEST_CASE(recv_until_reads_up_to_its_text_and_no_further) {
  Pair p;
  p.connect();
  BOOST_TEST(p.one(p.client, "send \"PING\\r\\nPAR\"").bytes == 9u);
  const auto line = p.one(p.server, "recv until \"\\r\\n\"");
  BOOST_TEST(line.end == "ok");
  BOOST_TEST(line.bytes == 6u);
  BOOST_TEST(p.one(p.client, "close").end == "ok");
  const auto rest = p.one(p.server, "recv until \"\\r\\n\"");
  BOOST_TEST(rest.end == "eof");
  BOOST_TEST(rest.bytes == 3u);
}

// The step's own deadline ends a wait: operation_aborted, marked as the deadline's.
BOOST_AUTO_TEST_CASE(a_wait_ends_at_its_deadline_marked_as_its_own) {
  Pair p;
  p.connect();
  const auto idle = p.one(p.server, "recv within 100");
  BOOST_TEST(idle.end == "operation_aborted");
  BOOST_TEST(idle.deadline);
  BOOST_TEST(p.one(p.server, "recv until \"x\" within 100").deadline);
}

// Chosen bytes arrive as sent; filler is the alphabet.
BOOST_AUTO_TEST_CASE(send_moves_the_bytes_it_names) {
  Pair p;
  p.connect();
  BOOST_TEST(p.one(p.client, "send \"a\\x00b\"").bytes == 3u);
  BOOST_TEST(p.one(p.server, "recv 3").bytes == 3u);
  BOOST_TEST(p.one(p.client, "send 30").bytes == 30u);
  BOOST_TEST(p.one(p.server, "recv until \"z\"").bytes == 26u);  // a..z: the filler's first z ends it
}

// An abortive close (SO_LINGER 0) resets the connection: the reader is told ECONNRESET, then eof.
BOOST_AUTO_TEST_CASE(linger_zero_close_resets_the_peer) {
  Pair p;
  p.connect();
  BOOST_TEST(p.one(p.client, "set linger 0").end == "ok");
  BOOST_TEST(p.one(p.client, "close").end == "ok");
  BOOST_TEST(p.one(p.server, "recv").end == "ECONNRESET");
  BOOST_TEST(p.one(p.server, "recv").end == "eof");
  BOOST_TEST(p.one(p.server, "get so_error").end == "ok");
}

// SIOCINQ counts the bytes not yet read, and not the FIN; SIOCOUTQ is empty once loopback acknowledged.
BOOST_AUTO_TEST_CASE(get_inq_counts_unread_bytes_and_not_the_fin) {
  Pair p;
  BOOST_TEST(p.one(p.server, "listen").end == "ok");
  BOOST_TEST(p.one(p.server, "get inq").end == "EINVAL");  // a listener has no receive queue
  p.run({{&p.server, "accept"}, {&p.client, "connect"}});
  BOOST_TEST(p.one(p.client, "send 100").bytes == 100u);
  BOOST_TEST(p.one(p.client, "drain").end == "ok");
  BOOST_TEST(p.one(p.client, "get outq").bytes == 0u);
  BOOST_TEST(p.one(p.server, "poll").end == "readable");
  BOOST_TEST(p.one(p.server, "get inq").bytes == 100u);
  BOOST_TEST(p.one(p.server, "recv 60").bytes == 60u);
  BOOST_TEST(p.one(p.server, "get inq").bytes == 40u);
  BOOST_TEST(p.one(p.client, "shutdown wr").end == "ok");
  BOOST_TEST(p.one(p.server, "poll").end == "rdhup");
  BOOST_TEST(p.one(p.server, "get inq").bytes == 40u);
}

// TCP_CM_INQ counts the unread bytes and a received FIN as one more; without TCP_INQ there is none (ENOMSG),
// and with nothing queued and no FIN no read returns to carry it (EAGAIN).
BOOST_AUTO_TEST_CASE(get_cm_inq_counts_the_fin_as_a_byte) {
  Pair p;
  p.connect();
  BOOST_TEST(p.one(p.client, "send 100").bytes == 100u);
  BOOST_TEST(p.one(p.server, "poll").end == "readable");
  BOOST_TEST(p.one(p.server, "get cm_inq").end == "ENOMSG");
  BOOST_TEST(p.one(p.server, "set tcp_inq 1").end == "ok");
  BOOST_TEST(p.one(p.server, "get cm_inq").bytes == 100u);
  BOOST_TEST(p.one(p.server, "recv 100").bytes == 100u);
  BOOST_TEST(p.one(p.server, "get cm_inq").end == "EAGAIN");
  BOOST_TEST(p.one(p.client, "send 40").bytes == 40u);
  BOOST_TEST(p.one(p.client, "shutdown wr").end == "ok");
  BOOST_TEST(p.one(p.server, "poll").end == "rdhup");
  BOOST_TEST(p.one(p.server, "get cm_inq").bytes == 41u);
  BOOST_TEST(p.one(p.server, "get inq").bytes == 40u);
  BOOST_TEST(p.one(p.server, "recv 40").bytes == 40u);
  BOOST_TEST(p.one(p.server, "get cm_inq").bytes == 1u);
}

// A connection refused, and connecting again on a connected socket.
BOOST_AUTO_TEST_CASE(connect_reports_what_the_kernel_says) {
  Pair p;
  BOOST_TEST(p.one(p.client, "connect").end == "ECONNREFUSED");
  p.connect();
  BOOST_TEST(p.one(p.client, "connect").end == "EISCONN");
  BOOST_TEST(p.one(p.client, "shutdown wr").end == "ok");
  BOOST_TEST(p.one(p.server, "poll").end == "rdhup");
}

BOOST_AUTO_TEST_SUITE_END()
