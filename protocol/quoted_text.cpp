#include "quoted_text.hpp"

#include <boost/algorithm/hex.hpp>

#include <cstdio>
#include <stdexcept>

namespace closepath::protocol {
namespace {

constexpr const char* kEscapes = "\\r \\n \\t \\\\ \\\" \\xHH";

// The index of the quote that closes the one at `open`.
std::size_t closing_quote(std::string_view text, std::size_t open) {
  for (std::size_t i = open + 1; i < text.size(); ++i) {
    if (text[i] == '\\') ++i;
    else if (text[i] == '"') return i;
  }
  throw std::invalid_argument("a quoted text is not closed: " + std::string(text.substr(open)) + " (end it with \")");
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::vector<std::string> step_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ' || text[i] == '\t') {
      if (!word.empty()) words.push_back(std::move(word)), word.clear();
    } else if (text[i] == '"') {
      const auto close = closing_quote(text, i);
      word += text.substr(i, close - i + 1);
      i = close;
    } else {
      word += text[i];
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::size_t find_unquoted(std::string_view text, std::string_view what) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') {  // skip to its closing quote (a quote left open: step_words says so)
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
    } else if (text.substr(i, what.size()) == what) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::optional<std::string> quoted_text(const std::string& word) {
  if (word.size() < 2 || word.front() != '"' || word.back() != '"') return std::nullopt;
  std::string bytes;
  for (std::size_t i = 1; i + 1 < word.size(); ++i) {
    if (word[i] != '\\') {
      bytes += word[i];
      continue;
    }
    const char e = word[++i];
    if (e == 'r') bytes += '\r';
    else if (e == 'n') bytes += '\n';
    else if (e == 't') bytes += '\t';
    else if (e == '\\' || e == '"') bytes += e;
    else if (e == 'x' && i + 3 < word.size() && hex_digit(word[i + 1]) >= 0 && hex_digit(word[i + 2]) >= 0) {
      bytes += static_cast<char>(hex_digit(word[i + 1]) * 16 + hex_digit(word[i + 2]));
      i += 2;
    } else {
      throw std::invalid_argument("unknown escape '\\" + std::string(1, e) + "' in " + word + " (known: " + kEscapes + ")");
    }
  }
  return bytes;
}

std::string quote_text(std::string_view bytes) {
  std::string out = "\"";
  for (const char c : bytes) {
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\\' || c == '"') out += std::string("\\") + c;
    else if (c >= 0x20 && c < 0x7f) out += c;
    else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
      out += hex;
    }
  }
  return out + "\"";
}

std::string hex_of(std::string_view bytes) { return boost::algorithm::hex_lower(std::string(bytes)); }

std::string bytes_of_hex(const std::string& hex, const std::string& field) {
  try {
    return boost::algorithm::unhex(hex);
  } catch (const boost::algorithm::hex_decode_error&) {
    throw std::invalid_argument(field + " is not hexadecimal bytes");
  }
}

}  // namespace closepath::protocol
