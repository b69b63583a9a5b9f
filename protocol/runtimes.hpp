// The runtimes a peer can be written in: the one owner of that vocabulary.
// Each is a peer program speaking the control protocol (docs/protocol.md)
// and reporting, for an error, what its runtime told the program: the words
// (`is`: the sentinel errors or exception classes it matches) and its text.
// closepath's own end words come from those runtime words: an error with
// an errno is named by it (ECONNRESET), whatever class the runtime gives it;
// one without, by one table, kRuntimeWords: the first entry of the runtime
// whose word the error is. Asio is the reference: its peer names the end word
// itself (peers/asio_outcome.cpp), in the words closepath took from it.
#pragma once

#include "outcome.hpp"

#include <optional>
#include <string>
#include <vector>

namespace closepath::protocol {

struct Runtime {
  const char* name;     // as --peer and a scenario's `peer:` name it
  const char* program;  // the peer program, found beside closepath (or in libexec/closepath)
  const char* doc;
};
inline constexpr Runtime kRuntimes[] = {
    {"asio", "closepath-peer", "C++ with Boost.Asio (coroutines, async reads and writes; OpenSSL through asio::ssl): the default"},
    {"go", "closepath-peer-go",
     "Go's standard library: net.TCPConn and crypto/tls, a goroutine per command, deadlines by SetDeadline"},
    {"python", "closepath-peer-python",
     "Python's standard library: blocking socket and ssl, a thread per command, deadlines by settimeout"},
    {"asyncio", "closepath-peer-asyncio",
     "Python's asyncio streams: start_server, open_connection, start_tls, a task per command, deadlines by wait_for"},
};
inline constexpr const char* kDefaultRuntime = "asio";

const Runtime* find_runtime(const std::string& name);
std::string runtime_names();  // "asio, go, python"

// One runtime word and the closepath end word it means.
struct RuntimeWord {
  const char* runtime;
  const char* word;  // as the peer reports it in `is`
  const char* end;   // an end word or an errno name
  const char* doc;
};
inline constexpr RuntimeWord kRuntimeWords[] = {
    {"go", "io.EOF", end::eof, "Read's end of stream: the peer's FIN (under TLS, also a TCP EOF without close_notify)"},
    {"go", "io.ErrUnexpectedEOF", end::eof, "io.ReadFull: the stream ended part way (the bytes say how far)"},
    {"go", "os.ErrDeadlineExceeded", end::deadline_exceeded, "a deadline set by SetDeadline passed (\"i/o timeout\")"},
    {"go", "context.DeadlineExceeded", end::deadline_exceeded, "a dial's context deadline passed"},
    {"go", "context.Canceled", end::operation_aborted, "a dial's context cancelled (the connection closed while connecting)"},
    {"go", "net.ErrClosed", "EBADF", "\"use of closed network connection\": a call on a connection closed here"},
    {"go", "poll: 0", end::deadline_exceeded, "poll(2), called through SyscallConn, returned no event in its timeout"},
    {"go", "tls.alert", end::ssl_error, "a TLS alert, sent or received (\"remote error: tls: ...\")"},
    {"go", "*tls.RecordHeaderError", end::ssl_error, "not a TLS record"},
    {"go", "x509.UnknownAuthorityError", end::ssl_error, "the peer's certificate is not signed by a trusted CA"},
    {"go", "x509.HostnameError", end::ssl_error, "the peer's certificate is not for the name verified"},
    {"go", "x509.CertificateInvalidError", end::ssl_error, "the peer's certificate is invalid"},
    {"python", "b''", end::eof, "recv() returned b'': the peer's FIN (under TLS, also a TCP EOF without close_notify)"},
    {"python", "TimeoutError", end::deadline_exceeded,
     "the socket's timeout (settimeout) passed; with an errno (ETIMEDOUT) it is the kernel's, named by the errno"},
    {"python", "[]", end::deadline_exceeded, "select.poll's poll() returned no event: its timeout passed"},
    {"python", "ssl.SSLEOFError", end::stream_truncated, "TLS: EOF in violation of the protocol"},
    {"python", "ssl.SSLZeroReturnError", end::eof, "TLS: the peer's close_notify"},
    {"python", "ssl.SSLError", end::ssl_error, "another ssl failure (ssl.SSLCertVerificationError among them)"},
    {"asyncio", "b''", end::eof, "StreamReader.read() returned b'': the peer's FIN"},
    {"asyncio", "asyncio.exceptions.IncompleteReadError", end::eof,
     "readexactly() or readuntil() met the end of the stream first (the bytes say how far)"},
    {"asyncio", "TimeoutError", end::deadline_exceeded, "asyncio.wait_for's timeout passed (the awaited call is cancelled)"},
    {"asyncio", "asyncio.exceptions.CancelledError", end::operation_aborted, "the task was cancelled (a close while connecting)"},
    {"asyncio", "[]", end::deadline_exceeded, "select.poll's poll() returned no event: its timeout passed"},
    {"asyncio", "RuntimeError", end::runtime_refused, "the stream refused the call (write() after write_eof())"},
    {"asyncio", "ssl.SSLEOFError", end::stream_truncated, "TLS: EOF in violation of the protocol"},
    {"asyncio", "ssl.SSLError", end::ssl_error, "another ssl failure"},
};

// The end word for what `runtime` said (the errno's name, else
// kRuntimeWords); "RUNTIME:WORD" when neither names it.
std::string end_of(const std::string& runtime, const RuntimeSaid& said, std::optional<int> errno_value);

}  // namespace closepath::protocol
