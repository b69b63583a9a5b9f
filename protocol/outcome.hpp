// What a step ended with, as a value: bytes moved plus how it ended. The
// peer answers commands with it, the runner adds its own steps' outcomes
// (pauses, barriers, awaits), the judge compares it with the scenario's
// expectation and the report writes it.
//
// `end` words: "ok", "eof", "operation_aborted" (with `deadline` when the
// action's own deadline cancelled it), an errno name such as "ECONNRESET",
// "stream_truncated" (TLS: TCP EOF without close_notify), "ssl_error" (an
// OpenSSL failure; `error` says which), "killed" (crash), what `poll` saw
// ("readable"; "rdhup": the peer's FIN; "hup": both ways closed or reset;
// "pollerr": an error is pending, e.g. after a RST), or the runner's:
// "pending" (a background step not yet collected), "timeout" (a barrier
// that saw too few packets), "error" (a fault that could not be applied).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace closepath::protocol {

struct ErrorDetail {
  std::string category;  // as the library named it ("system", "asio.ssl", ...)
  int value = 0;
  std::string message;
};

// `get tcp_info`: the connection's state (Linux's name) and the counters of
// struct tcp_info a scenario can expect, by name (tcp_info_counter_names()).
struct TcpInfo {
  std::string state;
  std::map<std::string, std::uint64_t> counters;
};
// retransmits (consecutive RTOs without progress), total_retrans, unacked,
// lost, probes (zero-window or keepalive probes unanswered), backoff, rto_ms.
const std::vector<std::string>& tcp_info_counter_names();

struct Outcome {
  std::string end = "ok";
  std::uint64_t bytes = 0;
  bool deadline = false;                   // the action's own deadline cancelled it
  std::optional<std::uint32_t> announced{};  // recv_message: the length the message announced
  std::optional<ErrorDetail> error{};        // the library's error, when there was one
  std::optional<int> errno_value{};          // its errno, for system errors
  std::optional<int> signal{};               // crash: the signal the peer died of
  std::optional<TcpInfo> tcp_info{};         // get tcp_info
  std::int64_t start_ns = 0, end_ns = 0;   // CLOCK_MONOTONIC; 0: not measured
};

// The end words a scenario may expect besides errno names (see above).
bool is_end_word(const std::string& end);
const char* end_words_text();  // "ok, eof, operation_aborted, ..." for messages

nlohmann::json to_json(const Outcome& o);
// Throws std::invalid_argument naming the field that is missing or wrong.
Outcome parse_outcome(const nlohmann::json& j);

}  // namespace closepath::protocol
