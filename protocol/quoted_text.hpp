// Chosen bytes in a step: a double-quoted TEXT ("GET / HTTP/1.1\r\n\r\n")
// with the escapes \r \n \t \\ \" and \xHH. The step's words are split on
// blanks outside quotes; a quoted word keeps its quotes, so `send "100"`
// (three bytes) is told from `send 100` (a hundred), and an action's parse
// turns it into bytes with quoted_text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace closepath::protocol {

// "send \"a b\" within 1s" -> send, "a b" (with its quotes), within, 1s.
// Throws std::invalid_argument on a quote left open.
std::vector<std::string> step_words(std::string_view text);
// Where `what` first occurs outside quotes, or npos.
std::size_t find_unquoted(std::string_view text, std::string_view what);
// The bytes a quoted word stands for; nullopt when `word` is not quoted.
// Throws std::invalid_argument on an unknown or short escape.
std::optional<std::string> quoted_text(const std::string& word);
// The other way: bytes as a quoted word (printable ASCII as is, the rest escaped).
std::string quote_text(std::string_view bytes);

// Chosen bytes on the control channel, whose JSON strings must be UTF-8:
// as lower-case hex, and back (throws std::invalid_argument naming `field`).
std::string hex_of(std::string_view bytes);
std::string bytes_of_hex(const std::string& hex, const std::string& field);

}  // namespace closepath::protocol
