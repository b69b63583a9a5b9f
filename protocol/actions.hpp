// The peer actions: the one owner of that vocabulary. Each is one struct
// carrying what the rest of closepath reads of it:
//   op        its name on the control channel;
//   word      how a scenario step opens with it ("send", "tls handshake");
//             the runner's own internal actions have none;
//   synopsis, doc, example   for `closepath help words` and the docs;
//   parse     its grammar: the words after `word`;
//   to_json / from_json      its fields on the channel, for actions that
//             have any (parse and JSON in actions.cpp, or beside the struct
//             when a few lines do: action_fields.hpp has their pieces);
//   read_files(a, dir)       for actions that name a file: read when the
//             scenario is, so a missing file is refused with its line;
// and, only where it differs from the default, a step rule:
//   background = false  (it cannot end in '&'), outcome = false (it takes no
//   '->'), moves(a) (the bytes it moves when it ends ok, expected unless the
//   step says otherwise), ends (the end it expects by default: crash is
//   `killed`), reads_tcp_info(a) (it may expect tcp_info fields).
// Adding an action: its struct here and in `Action`, its Endpoint::perform
// in peers/endpoint.cpp (the build stops without one), a scenario that
// uses it and its self-test (pytest/test_selftests.py). The protocol test
// round-trips its example; `closepath help words` and docs/language.md
// (tools/update_reference.py) list it.
#pragma once

#include "action_fields.hpp"
#include "outcome.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace closepath::protocol {

struct Listen {
  static constexpr const char* op = "listen";
  static constexpr const char* word = "listen";
  static constexpr const char* synopsis = "listen";
  static constexpr const char* doc = "bind and listen on the server port";
  static constexpr const char* example = "listen";
  static Listen parse(const Words& args);
};
struct Connect {
  static constexpr const char* op = "connect";
  static constexpr const char* word = "connect";
  static constexpr const char* synopsis = "connect [port N]";
  static constexpr const char* doc =
      "connect from the run's client port; after a failed connect, on a new socket; on a connected one: EISCONN";
  static constexpr const char* example = "connect port 47001 -> ECONNREFUSED";
  static Connect parse(const Words& args);
  static constexpr Field fields[] = {{"port", "integer", false, "the server's port to connect to; absent: the run's"}};
  static void to_json(nlohmann::json& j, const Connect& a);
  static void from_json(const nlohmann::json& j, Connect& a);
  std::optional<int> port;  // default: the scenario's server port
};
struct Accept {
  static constexpr const char* op = "accept";
  static constexpr const char* word = "accept";
  static constexpr const char* synopsis = "accept";
  static constexpr const char* doc = "take the next connection";
  static constexpr const char* example = "accept within 2s";
  static Accept parse(const Words& args);
};
struct Send {
  static constexpr const char* op = "send";
  static constexpr const char* word = "send";
  static constexpr const char* synopsis = "send N | send \"TEXT\" | send file PATH";
  static constexpr const char* doc =
      "write N bytes of filler (abcdefghijklmnopqrstuvwxyz over and over, from a); the TEXT given (escapes \\r \\n "
      "\\t \\\\ \\\" \\xHH); or a file's bytes, read when the scenario is ({dir}: the scenario's folder)";
  static constexpr const char* example = "send \"PING\\r\\n\"";
  static Send parse(const Words& args);
  static constexpr Field fields[] = {{"n", "integer", true, "how many bytes"},
                                     {"hex", "hex", false, "the bytes (n of them); absent: n bytes of filler, abc...z over and over"}};
  static void to_json(nlohmann::json& j, const Send& a);
  static void from_json(const nlohmann::json& j, Send& a);
  static std::optional<std::uint64_t> moves(const Send& a) { return a.bytes; }
  // Reads `file` into `data`, {dir} being `dir`; throws std::invalid_argument naming the file.
  static void read_files(Send& a, const std::string& dir);
  std::size_t bytes = 0;
  std::optional<std::string> data;  // the chosen bytes ("TEXT" or a file's); without them, `bytes` of filler
  std::string file;                 // send file PATH, as written, until read_files has read it
};
struct Recv {
  static constexpr const char* op = "recv";
  static constexpr const char* word = "recv";
  static constexpr const char* synopsis = "recv [N|all]";
  static constexpr const char* doc = "one read; exactly N bytes; or everything up to EOF or an error";
  static constexpr const char* example = "recv all -> 100 eof";
  static Recv parse(const Words& args);
  static constexpr Field fields[] = {{"mode", "string", false, "some (one read; the default), exact (n bytes) or all (until EOF or an error)"},
                                     {"n", "integer", false, "exact: how many bytes"},
                                     {"keep", "boolean", false, "answer with the bytes read (hex)"}};
  static void to_json(nlohmann::json& j, const Recv& a);
  static void from_json(const nlohmann::json& j, Recv& a);
  static std::optional<std::uint64_t> moves(const Recv& a) {
    return a.mode == Mode::exact ? std::optional<std::uint64_t>(a.bytes) : std::nullopt;
  }
  enum class Mode { some, exact, all } mode = Mode::some;
  std::size_t bytes = 0;  // for exact
  bool keep = false;      // answer with the bytes read: the step expects what they hold
};
struct RecvUntil {  // a delimited read: a line, a header block
  static constexpr const char* op = "recv_until";
  static constexpr const char* word = "recv until";
  static constexpr const char* synopsis = "recv until \"TEXT\"";
  static constexpr const char* doc =
      "read until TEXT has come and no further (what follows stays for the next read): ok with the bytes read, TEXT "
      "included; eof, an error or the deadline when they come first";
  static constexpr const char* example = "recv until \"\\r\\n\\r\\n\" within 2s";
  static RecvUntil parse(const Words& a) {
    want_words(a, 1, 1, word);
    auto text = quoted_text(a[0]);
    if (!text || text->empty()) throw std::invalid_argument("recv until takes a quoted TEXT, e.g. 'recv until \"\\n\"', got '" + a[0] + "'");
    return RecvUntil{std::move(*text)};
  }
  static constexpr Field fields[] = {{"hex", "hex", true, "the delimiter: read up to and with it, not past it"},
                                     {"keep", "boolean", false, "answer with the bytes read (hex)"}};
  static void to_json(nlohmann::json& j, const RecvUntil& a) {
    j["hex"] = hex_of(a.text);
    if (a.keep) j["keep"] = true;
  }
  static void from_json(const nlohmann::json& j, RecvUntil& a) {
    a.text = bytes_of_hex(json_field<std::string>(j, "hex"), "'recv_until': 'hex'");
    if (a.text.empty()) throw std::invalid_argument("'recv_until': 'hex' is empty");
    a.keep = j.contains("keep") && json_field<bool>(j, "keep");
  }
  std::string text;
  bool keep = false;  // answer with the bytes read: the step expects what they hold
};
struct Shutdown {
  static constexpr const char* op = "shutdown";
  static constexpr const char* word = "shutdown";
  static constexpr const char* synopsis = "shutdown rd|wr|rdwr";
  static constexpr const char* doc = "shutdown(2) of the connection";
  static constexpr const char* example = "shutdown wr";
  static Shutdown parse(const Words& args);
  static constexpr Field fields[] = {{"how", "string", true, "rd, wr or rdwr"}};
  static void to_json(nlohmann::json& j, const Shutdown& a);
  static void from_json(const nlohmann::json& j, Shutdown& a);
  std::string how;  // rd | wr | rdwr
};
struct Close {
  static constexpr const char* op = "close";
  static constexpr const char* word = "close";
  static constexpr const char* synopsis = "close";
  static constexpr const char* doc =
      "the connection (as a server closes one and keeps listening); the listener when there is none; EBADF when neither is open";
  static constexpr const char* example = "close";
  static Close parse(const Words& args);
};
struct SetOption {  // a name of protocol/socket_options.hpp
  static constexpr const char* op = "set";
  static constexpr const char* word = "set";
  static constexpr const char* synopsis = "set OPTION VALUE";
  static constexpr const char* doc =
      "sets a socket option on the open connection; before there is one, on the sockets made after it (listener, accepted or connecting); the options: Socket options";
  static constexpr const char* example = "set linger 0";
  static SetOption parse(const Words& args);
  static constexpr Field fields[] = {{"name", "string", true, "a socket option's name (Socket options)"},
                                     {"value", "integer", true, "its value (linger: seconds, negative turns it off)"}};
  static void to_json(nlohmann::json& j, const SetOption& a);
  static void from_json(const nlohmann::json& j, SetOption& a);
  std::string name;
  int value = 0;
};
struct SendMessage {  // a 4-byte length N, then M <= N bytes
  static constexpr const char* op = "send_message";
  static constexpr const char* word = "send message";
  static constexpr const char* synopsis = "send message N M";
  static constexpr const char* doc = "a 4-byte big-endian length N, then only M <= N bytes of it";
  static constexpr const char* example = "send message 65536 16384";
  static SendMessage parse(const Words& args);
  static constexpr Field fields[] = {{"announce", "integer", true, "the length the 4-byte big-endian header announces"},
                                     {"n", "integer", true, "how many bytes of filler follow it"}};
  static void to_json(nlohmann::json& j, const SendMessage& a);
  static void from_json(const nlohmann::json& j, SendMessage& a);
  static std::optional<std::uint64_t> moves(const SendMessage& a) { return a.bytes; }
  std::uint32_t announce = 0;
  std::size_t bytes = 0;
};
struct RecvMessage {  // the length, then exactly that many
  static constexpr const char* op = "recv_message";
  static constexpr const char* word = "recv message";
  static constexpr const char* synopsis = "recv message";
  static constexpr const char* doc = "the 4-byte length, then exactly that many; the bytes that came and how it ended";
  static constexpr const char* example = "recv message -> 16384 eof";
  static RecvMessage parse(const Words& args);
};
struct TlsHandshake {  // as client or server, by side
  static constexpr const char* op = "tls_handshake";
  static constexpr const char* word = "tls handshake";
  static constexpr const char* synopsis = "tls handshake [verify none|ca FILE] [sni NAME] [cert FILE key FILE]";
  static constexpr const char* doc =
      "as client or server. The client verifies the server's certificate against the run's CA and the server's address, "
      "against ca FILE, or not at all (verify none); sni NAME sends that name and verifies the certificate for it. The "
      "server presents the run's certificate, or cert FILE key FILE. Files are read when the scenario is ({dir})";
  static constexpr const char* example = "tls handshake sni localhost verify none within 2s";
  static TlsHandshake parse(const Words& args);
  static constexpr Field fields[] = {
      {"verify", "boolean", false, "client: false verifies nothing; absent: verify"},
      {"sni", "string", false, "client: the name sent and verified; absent: the server's address is verified, no SNI"},
      {"ca", "PEM", false, "client: the CA to verify with; absent: tls_setup's"},
      {"cert", "PEM", false, "server: the certificate (chain) to present; absent: tls_setup's"},
      {"key", "PEM", false, "server: its private key, with cert"}};
  static void to_json(nlohmann::json& j, const TlsHandshake& a);
  static void from_json(const nlohmann::json& j, TlsHandshake& a);
  // Reads the named files into the PEM fields; throws std::invalid_argument naming the file.
  static void read_files(TlsHandshake& a, const std::string& dir);
  bool verify = true;
  std::string sni;
  std::string ca_file, cert_file, key_file;  // as written, until read_files has read them
  std::string ca_pem, cert_pem, key_pem;     // their contents: empty, the run's
  bool client_only() const { return !verify || !sni.empty() || !ca_file.empty() || !ca_pem.empty(); }
  bool server_only() const { return !cert_file.empty() || !cert_pem.empty(); }
};
struct TlsStall {  // read the ClientHello, never answer
  static constexpr const char* op = "tls_stall";
  static constexpr const char* word = "tls stall";
  static constexpr const char* synopsis = "tls stall";
  static constexpr const char* doc = "read the ClientHello record and never answer";
  static constexpr const char* example = "tls stall";
  static TlsStall parse(const Words& args);
};
struct TlsCloseNotify {  // send close_notify, wait for the peer's
  static constexpr const char* op = "tls_close_notify";
  static constexpr const char* word = "tls close_notify";
  static constexpr const char* synopsis = "tls close_notify";
  static constexpr const char* doc = "send close_notify and wait for the peer's (a tls handshake of its side must come first)";
  static constexpr const char* example = "tls close_notify";
  static TlsCloseNotify parse(const Words& args);
};
struct Crash {  // SIGKILL the peer process: the kernel closes its sockets
  static constexpr const char* op = "crash";
  static constexpr const char* word = "crash";
  static constexpr const char* synopsis = "crash";
  static constexpr const char* doc = "SIGKILL the peer: its kernel closes its sockets";
  static constexpr const char* example = "crash";
  static constexpr const char* ends = end::killed;
  static Crash parse(const Words& args);
};
struct Drain {  // wait until the peer has ACKed everything sent (SIOCOUTQ == 0)
  static constexpr const char* op = "drain";
  static constexpr const char* word = "drain";
  static constexpr const char* synopsis = "drain";
  static constexpr const char* doc = "wait until the peer has acknowledged everything sent (SIOCOUTQ is 0)";
  static constexpr const char* example = "drain within 1s";
  static Drain parse(const Words& args);
};
struct Poll {  // wait for an event without reading: readable, rdhup, hup, pollerr
  static constexpr const char* op = "poll";
  static constexpr const char* word = "poll";
  static constexpr const char* synopsis = "poll";
  static constexpr const char* doc = "wait without reading; ends with the weightiest event: pollerr, hup, rdhup or readable";
  static constexpr const char* example = "poll -> rdhup";
  static Poll parse(const Words& args);
};
struct Get {  // what the kernel holds for a socket: SO_ERROR (reading clears it), TCP_INFO, SIOCINQ, SIOCOUTQ, TCP_CM_INQ
  static constexpr const char* op = "get";
  static constexpr const char* word = "get";
  static constexpr const char* synopsis = "get so_error|tcp_info|inq|outq|cm_inq";
  static constexpr const char* doc =
      "what the kernel holds for the connection socket (else the listener): its pending error, tcp_info's state and "
      "counters, or the bytes queued to read (inq: SIOCINQ) or sent and not yet acknowledged (outq: SIOCOUTQ) as the byte "
      "count; cm_inq: what a read reports with TCP_INQ on (set tcp_inq 1), taken by a read of 0 bytes that leaves the "
      "data: the bytes still to read, a received FIN counted as one (EAGAIN when nothing is queued and no FIN came)";
  static constexpr const char* example = "get tcp_info -> state FIN_WAIT1 unacked 1";
  static constexpr bool background = false;
  static Get parse(const Words& args);
  static constexpr Field fields[] = {{"item", "string", true, "so_error, tcp_info, inq, outq or cm_inq"}};
  static void to_json(nlohmann::json& j, const Get& a);
  static void from_json(const nlohmann::json& j, Get& a);
  static bool reads_tcp_info(const Get& a) { return a.item == Item::tcp_info; }
  enum class Item { so_error, tcp_info, inq, outq, cm_inq } item = Item::tcp_info;
  // Each item's word, once: parse, the channel and messages read it.
  static constexpr std::array<std::pair<Item, const char*>, 5> kItems{{{Item::so_error, "so_error"},
                                                                       {Item::tcp_info, "tcp_info"},
                                                                       {Item::inq, "inq"},
                                                                       {Item::outq, "outq"},
                                                                       {Item::cm_inq, "cm_inq"}}};
  static const char* name(Item item);
};
struct TlsSetup {  // the runner's, before a TLS scenario: credentials (never written in a scenario)
  static constexpr const char* op = "tls_setup";
  static constexpr const char* word = nullptr;
  static constexpr Field fields[] = {{"ca", "PEM", false, "client: the run's CA"},
                                     {"cert", "PEM", false, "server: the run's certificate"},
                                     {"key", "PEM", false, "server: its private key"}};
  static void to_json(nlohmann::json& j, const TlsSetup& a);
  static void from_json(const nlohmann::json& j, TlsSetup& a);
  std::string ca_pem;             // the client's trust anchor
  std::string cert_pem, key_pem;  // the server's
};

// What crosses the control channel.
using Action = std::variant<Listen, Connect, Accept, Send, Recv, RecvUntil, Shutdown, Close, SetOption, SendMessage, RecvMessage,
                            TlsHandshake, TlsStall, TlsCloseNotify, Crash, Drain, Poll, Get, TlsSetup>;

}  // namespace closepath::protocol
