// What a step ended with, as a value: bytes moved plus how it ended. The
// peer answers commands with it, the runner adds its own steps' outcomes
// (pauses, barriers, awaits), the judge compares it with the scenario's
// expectation and the report writes it. `end` is one of the end words
// below, an errno name such as "ECONNRESET", or how a program ended ("exit 3").
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace closepath::protocol {

// The end words: the one table of them, each with what it means and whether
// a scenario may expect it (the runner's own are not written in a file).
namespace end {
inline constexpr const char* ok = "ok";
inline constexpr const char* eof = "eof";
inline constexpr const char* operation_aborted = "operation_aborted";
inline constexpr const char* stream_truncated = "stream_truncated";
inline constexpr const char* ssl_error = "ssl_error";
inline constexpr const char* killed = "killed";
inline constexpr const char* readable = "readable";
inline constexpr const char* rdhup = "rdhup";
inline constexpr const char* hup = "hup";
inline constexpr const char* pollerr = "pollerr";
inline constexpr const char* pending = "pending";
inline constexpr const char* timeout = "timeout";
inline constexpr const char* error = "error";
inline constexpr const char* deadline_exceeded = "deadline_exceeded";
inline constexpr const char* runtime_refused = "runtime_refused";
}  // namespace end

struct EndWord {
  const char* word;
  const char* doc;
  bool expectable;  // a scenario may write it after "->"
};
inline constexpr EndWord kEndWords[] = {
    {end::ok, "it did what it was asked", true},
    {end::eof, "the peer's FIN (under TLS: its close_notify)", true},
    {end::operation_aborted, "cancelled; by the step's own deadline when the report says so", true},
    {end::deadline_exceeded,
     "the runtime's own deadline error, where Asio cancels (operation_aborted): Go's os.ErrDeadlineExceeded, Python's "
     "TimeoutError",
     true},
    {end::runtime_refused,
     "the runtime refused the call itself, before the kernel was asked (asyncio: write() after write_eof() raises "
     "RuntimeError)",
     true},
    {end::stream_truncated, "TLS: TCP EOF without close_notify", true},
    {end::ssl_error, "another OpenSSL failure (the report says which)", true},
    {end::killed, "a crash step: the peer was SIGKILLed", true},
    {end::readable, "poll: data to read", true},
    {end::rdhup, "poll: the peer's FIN", true},
    {end::hup, "poll: closed both ways, or reset", true},
    {end::pollerr, "poll: an error is pending (after a RST)", true},
    {end::pending, "a background step not collected (the run ended first)", false},
    {end::timeout, "a barrier, ready, output or exit that did not come in its time", false},
    {end::error, "a fault, a program or a destroy that could not be done", false},
};

// The words a runtime used for an error, as its peer reports them (runtimes.hpp).
struct RuntimeSaid {
  std::string text;             // Go's err.Error(); Python's "Class: message"
  std::vector<std::string> is;  // what it matches: errors.Is sentinels and types; the exception's classes
};

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
// lost, probes (zero-window or keepalive probes unanswered), backoff, rto_ms,
// snd_cwnd (segments), rtt_us (the smoothed RTT).
const std::vector<std::string>& tcp_info_counter_names();
// A field that is a level rather than a count of trouble (rto_ms, snd_cwnd, rtt_us): never in the ladder's summary.
bool is_tcp_info_gauge(const std::string& name);

struct Outcome {
  std::string end = end::ok;
  std::uint64_t bytes = 0;
  bool deadline = false;                   // the action's own deadline cancelled it
  std::optional<std::uint32_t> announced{};  // recv_message: the length the message announced
  std::optional<ErrorDetail> error{};        // the library's error, when there was one
  std::optional<int> errno_value{};          // its errno, for system errors
  std::optional<int> signal{};               // crash: the signal the peer died of
  std::optional<TcpInfo> tcp_info{};         // get tcp_info
  std::optional<std::string> data{};         // the bytes a read took, when its step expects what they hold
  std::int64_t start_ns = 0, end_ns = 0;   // CLOCK_MONOTONIC; 0: not measured
  std::string runtime{};                    // the peer's runtime (runtimes.hpp): asio in facts from before there were others
  std::optional<RuntimeSaid> said{};        // what the runtime told the program, for an error
};

// An errno's name as an end ("ECONNRESET"); "errnoN" for a number the C library has no name for.
std::string errno_name(int value);

// The end words a scenario may expect besides errno names (kEndWords).
bool is_end_word(const std::string& end);
std::string end_words_text();  // "ok, eof, operation_aborted, ..." for messages

nlohmann::json to_json(const Outcome& o);
// An answer of a peer in `runtime`: its end is the one given, else the one
// the runtime's words name (runtimes.hpp: end_of). Throws
// std::invalid_argument naming the field that is missing or wrong.
Outcome parse_outcome(const nlohmann::json& j, const std::string& runtime = "asio");

}  // namespace closepath::protocol
