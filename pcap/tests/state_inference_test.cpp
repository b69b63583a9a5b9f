#include "pattern.hpp"
#include "state_inference.hpp"
#include "tcp_state.hpp"
#include "test_data.hpp"

#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <sstream>

using namespace closepath::pcap;
namespace bdata = boost::unit_test::data;

namespace {

// A packet written as a pattern: "c>s F. seq 1 ack 1 len 0".
FlowPacket pkt(const std::string& text) {
  const auto p = parse_packet_pattern(text);
  FlowPacket f;
  f.dir = p.dir;
  f.flags = p.flags.value_or(0);
  f.seq = p.seq.value_or(0);
  f.ack = p.ack.value_or(0);
  f.len = p.len ? static_cast<std::uint32_t>(p.len->low) : 0;
  return f;
}

std::vector<FlowPacket> packets(std::initializer_list<const char*> lines) {
  std::vector<FlowPacket> out;
  for (const auto* l : lines) out.push_back(pkt(l));
  for (std::size_t i = 0; i < out.size(); ++i) out[i].frame = i;
  return out;
}

const std::vector<const char*> kHandshake{"c>s S seq 0", "s>c S. seq 0 ack 1", "c>s . seq 1 ack 1"};

std::vector<FlowPacket> after_handshake(std::initializer_list<const char*> lines) {
  auto out = packets({kHandshake[0], kHandshake[1], kHandshake[2]});
  for (const auto* l : lines) out.push_back(pkt(l));
  for (std::size_t i = 0; i < out.size(); ++i) out[i].frame = i;
  return out;
}

std::string states(const std::vector<StateChange>& c) { return join_states(state_names(c)); }

}  // namespace

BOOST_AUTO_TEST_SUITE(state_inference)

// Golden rows: each committed capture's inferred states, as the kernel traced them.
BOOST_DATA_TEST_CASE(inference_matches_kernel_on_committed_captures,
                     bdata::make({"graceful_fin", "half_close", "linger_zero", "rst_on_unread_close",
                                  "write_after_peer_close", "connection_refused", "tcp_fast_open",
                                  "data_fin_after_close", "fin_never_acked", "syn_ack_after_close",
                                  "fin_wait2_linger2_expired", "data_into_closed_fin_wait2"}) ^
                         bdata::make({"[SYN_SENT, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, TIME_WAIT]",
                                      "[SYN_SENT, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, TIME_WAIT]",
                                      "[SYN_SENT, ESTABLISHED, CLOSE]", "[SYN_SENT, ESTABLISHED, CLOSE]",
                                      "[SYN_SENT, ESTABLISHED, CLOSE_WAIT, CLOSE]", "[SYN_SENT, CLOSE]",
                                      "[SYN_SENT, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE]",
                                      "[SYN_SENT, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE]", "[SYN_SENT, ESTABLISHED]",
                                      "[SYN_SENT, CLOSE]", "[SYN_SENT, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE]",
                                      "[SYN_SENT, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE]"}) ^
                         bdata::make({"[SYN_RECV, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE]",
                                      "[SYN_RECV, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE]",
                                      "[SYN_RECV, ESTABLISHED, CLOSE]", "[SYN_RECV, ESTABLISHED, CLOSE]",
                                      "[SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE]", "[]",
                                      "[SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, TIME_WAIT]",
                                      "[SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE]",
                                      "[SYN_RECV, ESTABLISHED, FIN_WAIT1]", "[]",
                                      "[SYN_RECV, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE]",
                                      "[SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE]"}),
                     name, client, server) {
  const auto inferred = infer_states(test::load_flow(name).packets);
  BOOST_TEST(states(inferred.client) == client);
  BOOST_TEST(states(inferred.server) == server);
}

// A RST crossing the end's own packets: the end sent its last data and its FIN before the RST reached it
// (seen: openssl s_client's write and FIN after a bare FIN, 9 us apart on the wire, the RST between them).
BOOST_AUTO_TEST_CASE(a_reset_crossing_the_ends_own_packets_arrives_after_them) {
  const auto flow = after_handshake({"s>c F. seq 1 ack 1", "c>s P. seq 1 ack 2 len 24", "s>c R seq 2", "c>s F. seq 25 ack 2",
                                     "s>c R seq 2"});
  const auto inferred = infer_states(flow);
  BOOST_TEST(states(inferred.client) == "[SYN_SENT, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE]");
  BOOST_TEST(states(inferred.server) == "[SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE]");
}

// A bare RST answers one segment (its seq is that segment's ACK). To a SYN-ACK for its own SYN a
// live SYN_SENT socket answers with an ACK: a bare RST means the socket had gone (closed in
// SYN_SENT), never ESTABLISHED. The server's request socket ends on the RST with no state.
BOOST_AUTO_TEST_CASE(a_bare_rst_to_a_syn_ack_means_no_socket) {
  auto inferred = infer_states(packets({"c>s S seq 0", "s>c S. seq 0 ack 1", "c>s R seq 1"}));
  BOOST_TEST(states(inferred.client) == "[SYN_SENT, CLOSE]");
  BOOST_TEST(inferred.client.back().packet == 2u);
  BOOST_TEST(inferred.client.back().why.find("no socket took frame 2") == 0u, inferred.client.back().why);
  BOOST_TEST(states(inferred.server) == "[]");
  // To an ACK not for its SYN the socket answers a bare RST and stays in SYN_SENT (RFC 9293 3.10.7.3).
  inferred = infer_states(packets({"c>s S seq 0", "s>c S. seq 0 ack 7", "c>s R seq 7", "s>c S. seq 0 ack 1", "c>s . seq 1 ack 1"}));
  BOOST_TEST(states(inferred.client) == "[SYN_SENT, ESTABLISHED]");
}

// A FIN in FIN_WAIT2 is taken (TIME_WAIT, an ACK): a bare RST answering it means the orphan's
// FIN_WAIT2 had run out (linger2, tcp_fin_timeout). CLOSE, never TIME_WAIT.
BOOST_AUTO_TEST_CASE(a_bare_rst_to_a_fin_in_fin_wait2_means_no_socket) {
  const auto inferred = infer_states(after_handshake({"c>s F. seq 1 ack 1", "s>c . seq 1 ack 2", "s>c F. seq 1 ack 2",
                                                      "c>s R seq 2"}));
  BOOST_TEST(states(inferred.client) == "[SYN_SENT, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE]");
  BOOST_TEST(states(inferred.server) == "[SYN_RECV, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE]");
}

// Data reaching a closed FIN_WAIT2 draws a bare RST and ends it; the FIN right behind meets no socket.
// Each RST answers its own segment, in order: TIME_WAIT never comes.
BOOST_AUTO_TEST_CASE(each_bare_rst_answers_its_own_segment) {
  const auto inferred = infer_states(after_handshake({"s>c F. seq 1 ack 1", "c>s . seq 1 ack 2", "c>s P. seq 1 ack 2 len 100",
                                                      "c>s F. seq 101 ack 2", "s>c R seq 2", "s>c R seq 2"}));
  BOOST_TEST(states(inferred.server) == "[SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE]");
  BOOST_TEST(inferred.server.back().packet == 7u);  // the first RST
  BOOST_TEST(inferred.server.back().why.find("data after close() reached it (frame 6)") == 0u, inferred.server.back().why);
  BOOST_TEST(states(inferred.client) == "[SYN_SENT, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE]");
}

// Data that also acknowledges the FIN of a socket closed in FIN_WAIT1 (openssl s_client's alert
// after a bare FIN): Linux takes the ACK first, FIN_WAIT2, then the data ends it with a RST.
BOOST_AUTO_TEST_CASE(data_acking_the_fin_of_a_closed_fin_wait1_passes_fin_wait2) {
  const auto inferred = infer_states(after_handshake({"s>c F. seq 1 ack 1", "c>s P. seq 1 ack 2 len 24", "s>c R seq 2"}));
  BOOST_TEST(states(inferred.server) == "[SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE]");
  BOOST_TEST(inferred.server.back().packet == 5u);
  BOOST_TEST(inferred.server.back().why.find("data after close() reached it (frame 5)") == 0u, inferred.server.back().why);
  // data that does not acknowledge the FIN (it crossed it) leaves FIN_WAIT1 as it was
  const auto crossed = infer_states(after_handshake({"s>c F. seq 1 ack 1", "c>s P. seq 1 ack 1 len 24", "s>c R seq 2"}));
  BOOST_TEST(states(crossed.server) == "[SYN_RECV, ESTABLISHED, FIN_WAIT1, CLOSE]");
}

// The first of two ACKs with the same number ends LAST_ACK; the second meets the closed socket and
// draws the RST: LAST_ACK ends on its ACK, not on the RST.
BOOST_AUTO_TEST_CASE(a_bare_rst_answers_the_segment_a_live_socket_would_reset) {
  const auto inferred = infer_states(after_handshake({"c>s F. seq 1 ack 1", "s>c F. seq 1 ack 2", "c>s . seq 2 ack 2",
                                                      "c>s . seq 2 ack 2", "s>c R seq 2"}));
  BOOST_TEST(states(inferred.server) == "[SYN_RECV, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE]");
  BOOST_TEST(inferred.server.back().packet == 5u);  // the first ACK of its FIN
  BOOST_TEST(states(inferred.client) == "[SYN_SENT, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE]");
}

// A server's connection socket is made by the handshake's last ACK, in SYN_RECV and at once ESTABLISHED,
// as the kernel traces it; a SYN-ACK nobody acknowledges leaves it none.
BOOST_AUTO_TEST_CASE(the_server_socket_is_made_by_the_last_ack) {
  auto inferred = infer_states(packets({"c>s S seq 0", "s>c S. seq 0 ack 1", "c>s . seq 1 ack 1"}));
  BOOST_TEST(states(inferred.server) == "[SYN_RECV, ESTABLISHED]");
  BOOST_TEST(inferred.server.front().packet == 2u);
  inferred = infer_states(packets({"c>s S seq 0", "s>c S. seq 0 ack 1", "s>c S. seq 0 ack 1"}));
  BOOST_TEST(states(inferred.server) == "[]");
}

// FINs that cross on the wire: neither FIN acks the other, so both ends pass CLOSING.
BOOST_AUTO_TEST_CASE(inference_sees_simultaneous_close_through_closing) {
  const auto inferred = infer_states(after_handshake({"c>s F. seq 1 ack 1", "s>c F. seq 1 ack 1",
                                                      "c>s . seq 2 ack 2", "s>c . seq 2 ack 2"}));
  BOOST_TEST(states(inferred.client) == "[SYN_SENT, ESTABLISHED, FIN_WAIT1, CLOSING, TIME_WAIT]");
  BOOST_TEST(states(inferred.server) == "[SYN_RECV, ESTABLISHED, FIN_WAIT1, CLOSING, TIME_WAIT]");
}

// A FIN that acks the other's FIN is not simultaneous: the passive side goes LAST_ACK.
BOOST_AUTO_TEST_CASE(inference_tells_sequential_from_simultaneous_close) {
  const auto inferred = infer_states(after_handshake({"c>s F. seq 1 ack 1", "s>c F. seq 1 ack 2", "c>s . seq 2 ack 2"}));
  BOOST_TEST(states(inferred.client) == "[SYN_SENT, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, TIME_WAIT]");
  BOOST_TEST(states(inferred.server) == "[SYN_RECV, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE]");
}

// Each row: packets after the handshake ending in a RST to the client at its
// RCV.NXT, and the client's states; the RST closes it from every state.
BOOST_DATA_TEST_CASE(
    inference_applies_an_exact_rst_in_each_state,
    bdata::make({"ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "CLOSE_WAIT", "LAST_ACK", "CLOSING", "TIME_WAIT"}) ^
        bdata::make({"s>c R. seq 1 ack 1",
                     "c>s F. seq 1 ack 1|s>c R. seq 1 ack 1",
                     "c>s F. seq 1 ack 1|s>c . seq 1 ack 2|s>c R. seq 1 ack 2",
                     "s>c F. seq 1 ack 1|c>s . seq 1 ack 2|s>c R seq 2",
                     "s>c F. seq 1 ack 1|c>s F. seq 1 ack 2|s>c R seq 2",
                     "c>s F. seq 1 ack 1|s>c F. seq 1 ack 1|c>s . seq 2 ack 2|s>c R seq 2",
                     // TIME_WAIT assassination (tcp_rfc1337 = 0, Linux's default)
                     "c>s F. seq 1 ack 1|s>c F. seq 1 ack 2|c>s . seq 2 ack 2|s>c R seq 2"}),
    state, tail) {
  auto flow = packets({kHandshake[0], kHandshake[1], kHandshake[2]});
  std::istringstream lines(tail);
  for (std::string l; std::getline(lines, l, '|');) flow.push_back(pkt(l));
  const auto client = state_names(infer_states(flow).client);
  BOOST_REQUIRE_GE(client.size(), 2u);
  BOOST_TEST(client[client.size() - 2] == state);
  BOOST_TEST(client.back() == "CLOSE");
}

// A time-wait socket ignores a RST that is not at its RCV.NXT.
BOOST_AUTO_TEST_CASE(inference_keeps_time_wait_on_an_inexact_rst) {
  const auto inferred =
      infer_states(after_handshake({"c>s F. seq 1 ack 1", "s>c F. seq 1 ack 2", "c>s . seq 2 ack 2", "s>c R seq 7"}));
  BOOST_TEST(states(inferred.client) == "[SYN_SENT, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, TIME_WAIT]");
}

// RFC 5961: a RST inside the window but not at RCV.NXT resets nothing.
BOOST_AUTO_TEST_CASE(inference_ignores_an_inexact_rst) {
  const auto inferred = infer_states(after_handshake({"s>c R. seq 500 ack 1", "c>s . seq 1 ack 1"}));
  BOOST_TEST(states(inferred.client) == "[SYN_SENT, ESTABLISHED]");
}

// A FIN whose ACK covers what the server never sent is dropped, FIN and
// all (packetdrill's ts_recent/invalid_ack): the server stays ESTABLISHED
// until the real FIN.
BOOST_AUTO_TEST_CASE(inference_drops_a_segment_that_acks_unsent_data) {
  const auto inferred = infer_states(after_handshake({"c>s F. seq 1 ack 10000", "s>c . seq 1 ack 1", "c>s P. seq 1 ack 1 len 10",
                                                      "s>c . seq 1 ack 11", "c>s F. seq 11 ack 1"}));
  BOOST_TEST(states(inferred.server) == "[SYN_RECV, ESTABLISHED, CLOSE_WAIT]");
  BOOST_TEST(inferred.server.back().packet == 7u);  // the real FIN's, not the one that acked unsent data
}

// In SYN_SENT a RST counts only when it acks our SYN.
BOOST_AUTO_TEST_CASE(inference_checks_the_ack_of_a_rst_in_syn_sent) {
  BOOST_TEST(states(infer_states(packets({"c>s S seq 0", "s>c R. seq 1 ack 7"})).client) == "[SYN_SENT]");
  BOOST_TEST(states(infer_states(packets({"c>s S seq 0", "s>c R. seq 1 ack 1"})).client) == "[SYN_SENT, CLOSE]");
}

// Sending a RST closes the sender, whatever its state; a server that refuses has no states.
BOOST_AUTO_TEST_CASE(inference_closes_the_sender_of_a_rst) {
  const auto inferred = infer_states(after_handshake({"c>s F. seq 1 ack 1", "c>s R. seq 2 ack 1"}));
  BOOST_TEST(states(inferred.client) == "[SYN_SENT, ESTABLISHED, FIN_WAIT1, CLOSE]");
  BOOST_TEST(states(inferred.server) == "[SYN_RECV, ESTABLISHED, CLOSE_WAIT, CLOSE]");
}

// Expected state lists: exact, optional and "...".
BOOST_AUTO_TEST_CASE(state_lists_match_with_optional_and_ellipsis) {
  auto list = [](std::initializer_list<const char*> items) {
    std::vector<StatePattern> out;
    for (const auto* i : items) out.push_back(parse_state_pattern(i));
    return out;
  };
  const std::vector<std::string> actual{"SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT"};
  BOOST_TEST(!match_states(list({"SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT"}), actual));
  BOOST_TEST(!match_states(list({"...", "FIN_WAIT1", "CLOSING?", "FIN_WAIT2", "TIME_WAIT"}), actual));
  BOOST_TEST(!match_states(list({"TCP_SYN_SENT", "..."}), actual));
  BOOST_TEST(*match_states(list({"...", "CLOSE"}), actual) ==
             "expected [..., CLOSE] vs actual [SYN_SENT, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, TIME_WAIT]");
  BOOST_CHECK_THROW(parse_state_pattern("ESTABLISHD"), std::invalid_argument);
}

// A segment the capture missed does not freeze its receiver: the
// receiver's own ACK beyond it says it arrived (graceful_fin without the
// server's 200-byte reply: the client still reaches TIME_WAIT on the FIN).
BOOST_AUTO_TEST_CASE(a_missing_segment_is_caught_up_by_the_receivers_ack) {
  const auto whole = test::load_flow("graceful_fin");
  auto missing = whole.packets;
  BOOST_REQUIRE(missing[5].len == 200u);
  missing.erase(missing.begin() + 5);
  const auto expected = infer_states(whole.packets);
  const auto got = infer_states(missing);
  BOOST_TEST(states(got.client) == states(expected.client));
  BOOST_TEST(states(got.server) == states(expected.server));
}

// Reordered: the server's FIN reaches the capture before its data; the
// client consumes both once the gap is filled, as its ACKs show.
BOOST_AUTO_TEST_CASE(a_reordered_fin_is_consumed_when_the_acks_cover_it) {
  const auto whole = test::load_flow("graceful_fin");
  auto reordered = whole.packets;
  BOOST_REQUIRE(reordered[5].len == 200u && (reordered[9].flags & kFin) && reordered[9].dir == Dir::s2c);
  // The data moves to just after the server's FIN (a rotation: GCC 12 at -O3 misreads erase + insert).
  std::rotate(reordered.begin() + 5, reordered.begin() + 6, reordered.begin() + 10);
  const auto got = infer_states(reordered);
  BOOST_TEST(states(got.client) == states(infer_states(whole.packets).client));
}

// TCP Fast Open: the SYN carries data and the SYN-ACK acknowledges it too.
BOOST_AUTO_TEST_CASE(fast_open_syn_ack_acknowledges_the_syn_data) {
  const auto got = infer_states(packets({"c>s S seq 0 len 5", "s>c S. seq 0 ack 6", "c>s . seq 6 ack 1",
                                         "s>c F. seq 1 ack 6", "c>s F. seq 6 ack 2", "s>c . seq 2 ack 7"}));
  BOOST_TEST(states(got.client) == "[SYN_SENT, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE]");
  BOOST_TEST(states(got.server) == "[SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, TIME_WAIT]");
}

// A capture that begins after the handshake: where each end was is not
// known, but every change it shows is (graceful_fin without its first three
// packets).
BOOST_AUTO_TEST_CASE(a_capture_begun_mid_connection_shows_the_changes_it_holds) {
  const auto whole = test::load_flow("graceful_fin");
  std::vector<FlowPacket> late(whole.packets.begin() + 3, whole.packets.end());
  const auto got = infer_states(late);
  BOOST_TEST(got.starts_unknown);
  BOOST_TEST(states(got.client) == "[FIN_WAIT1, FIN_WAIT2, TIME_WAIT]");
  BOOST_TEST(states(got.server) == "[CLOSE_WAIT, LAST_ACK, CLOSE]");
  BOOST_TEST(!infer_states(whole.packets).starts_unknown);
}

// A stale RST from the server's side (another incarnation's numbers, no
// ACK) before the SYN-ACK (corpus/early_rst.pcap): the SYN-ACK, not the
// first segment seen, sets the server's ISN, as Wireshark numbers it; the
// client in SYN_SENT ignores a RST without ACK, and the close goes on as
// graceful_fin's.
BOOST_AUTO_TEST_CASE(an_early_rst_does_not_fix_the_isn) {
  const auto flow = track_flow(read_capture(test::data("corpus/early_rst.pcap")));
  BOOST_REQUIRE_GE(flow.packets.size(), 4u);
  BOOST_TEST(describe(flow.packets[1]) == "s>c R seq 1 len 0");
  BOOST_TEST(describe(flow.packets[2]) == "s>c S. seq 0 ack 1 len 0");
  BOOST_TEST(describe(flow.packets[3]) == "c>s . seq 1 ack 1 len 0");
  const auto got = infer_states(flow.packets);
  BOOST_TEST(states(got.client) == "[SYN_SENT, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, TIME_WAIT]");
  BOOST_TEST(states(got.server) == "[SYN_RECV, ESTABLISHED, CLOSE_WAIT, LAST_ACK, CLOSE]");
}

// Incarnations one after the other; the server's TIME_WAIT ends where the next SYN reaches it.
BOOST_AUTO_TEST_CASE(inference_runs_through_a_reused_port_pair) {
  const auto flow = track_flow(read_capture(test::data("time_wait_reuse.pcapng")), std::string("10.0.0.1"), true);
  const auto inferred = infer_states(flow.packets, flow.incarnations);
  BOOST_TEST((state_names(inferred.client) == std::vector<std::string>{"SYN_SENT", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSE",
                                                                       "SYN_SENT", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT"}));
  BOOST_TEST((state_names(inferred.server) == std::vector<std::string>{"SYN_RECV", "ESTABLISHED", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
                                                                       "CLOSE", "SYN_RECV", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSE"}));
  BOOST_TEST(inferred.server[5].packet == 7u);  // the new SYN ended TIME_WAIT
  BOOST_TEST(inferred.client[5].packet == 7u);
}

BOOST_AUTO_TEST_SUITE_END()
