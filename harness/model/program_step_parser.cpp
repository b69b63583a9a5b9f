// The grammar of the steps that drive the user's own program on a side
// (exec, ready, output, signal, exit: their structs in scenario.hpp).
#include "placeholders.hpp"
#include "scenario_parser.hpp"

#include "action_grammar.hpp"
#include "overloaded.hpp"

#include <csignal>
#include <regex>
#include <set>
#include <utility>

namespace closepath {
namespace {

const std::map<std::string, int>& signals() {
  static const std::map<std::string, int> known{
      {"TERM", SIGTERM}, {"INT", SIGINT}, {"HUP", SIGHUP}, {"KILL", SIGKILL}, {"USR1", SIGUSR1}};
  return known;
}

std::optional<int> signal_named(std::string name) {
  if (name.rfind("SIG", 0) == 0) name.erase(0, 3);
  const auto it = signals().find(name);
  return it == signals().end() ? std::nullopt : std::optional(it->second);
}

// Splits words as a POSIX shell does, and nothing more: '...' is literal,
// "..." keeps spaces and honours \" \\ \$ \`, a backslash outside quotes
// escapes the next character. No expansion of any kind. (Boost's split_unix
// lets a ' end a "..." string; wordexp(3) expands variables and globs.)
std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::exchange(word, "")), in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const auto close = text.find('\'', i + 1);
      if (close == std::string::npos) throw std::invalid_argument("exec: unterminated ' quote");
      word += text.substr(i + 1, close - i - 1);
      i = close;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i >= text.size()) throw std::invalid_argument("exec: unterminated \" quote");
        if (text[i] == '"') break;
        if (text[i] == '\\' && i + 1 < text.size() && std::string("\"\\$`").find(text[i + 1]) != std::string::npos) ++i;
        word += text[i];
      }
    } else if (c == '\\') {
      if (++i >= text.size()) throw std::invalid_argument("exec: a lone backslash ends the command");
      word += text[i];
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Takes a trailing "within D" off `rest`.
std::optional<std::chrono::milliseconds> take_trailing_within(std::string& rest) {
  static const std::regex tail(R"(^(.*?)\s*\bwithin\s+(\S+)\s*$)");
  std::smatch m;
  if (!std::regex_match(rest, m, tail)) return std::nullopt;
  const auto d = parse_duration(m[2]);
  rest = m[1];
  return d;
}

// "... at LOW..HIGH after step N" at the end of `rest`: taken off it.
std::optional<pcap::AnchoredWindow> take_trailing_at(std::string& rest) {
  static const std::regex tail(R"(^(.*?)\s*\bat\s+(\S+)\s+after\s+step\s+(\S+)\s*$)");
  std::smatch m;
  if (!std::regex_match(rest, m, tail)) return std::nullopt;
  const auto anchor = protocol::word_number(m[3], "step");
  if (anchor < 1) throw std::invalid_argument("steps count from 1");
  try {
    const pcap::AnchoredWindow at{static_cast<std::size_t>(anchor), pcap::parse_window(m[2])};
    rest = m[1];
    return at;
  } catch (const pcap::PatternError& e) {
    throw std::invalid_argument(e.what());
  }
}

// The words after "->" of an exit step.
ExitExpect exit_expecting(const std::string& outcome) {
  ExitExpect e;
  e.text = outcome;
  if (outcome.empty()) return e;
  if (outcome.find_first_not_of("0123456789") == std::string::npos && outcome.size() <= 3) {
    e.code = std::stoi(outcome);
    if (*e.code > 255) throw std::invalid_argument("an exit code is 0 to 255, got " + outcome);
  } else if (const auto sig = signal_named(outcome)) {
    e.signal = *sig;
  } else {
    throw std::invalid_argument("exit expects a code (0-255) or a signal name (TERM, INT, HUP, KILL, USR1), got '" +
                                outcome + "'");
  }
  return e;
}

}  // namespace

Exec Exec::parse(const std::string& rest) {
  if (rest.empty()) throw std::invalid_argument("exec needs a program, e.g. 'exec curl -sS http://{server_host}:{port}/'");
  auto argv = split_words(rest);
  if (argv.empty() || argv[0].empty()) throw std::invalid_argument("exec needs a program");
  // {word} is a placeholder: a misspelt one would reach the program as it is.
  for (const auto& arg : argv) check_placeholders(arg);
  return Exec{std::move(argv)};
}

Ready Ready::parse(const std::string& rest) {
  if (!rest.empty()) throw std::invalid_argument("ready takes no argument (it waits for {port}), got '" + rest + "'");
  return {};
}

Output Output::parse(const std::string& rest) {
  if (rest.empty()) throw std::invalid_argument("output needs a regular expression, e.g. 'output listening'");
  try {
    std::regex check(rest);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument("output: bad regular expression '" + rest + "': " + e.what());
  }
  return Output{rest};
}

Running Running::parse(const std::string& rest) {
  if (!rest.empty()) throw std::invalid_argument("running takes no argument, got '" + rest + "'");
  return {};
}

SignalProgram SignalProgram::parse(const std::string& rest) {
  const auto sig = signal_named(rest);
  if (!sig) throw std::invalid_argument("signal takes TERM, INT, HUP, KILL or USR1, got '" + rest + "'");
  return SignalProgram{*sig, rest.rfind("SIG", 0) == 0 ? rest.substr(3) : rest};
}

// `rest` without its "within D": "-> 0" or nothing.
ExitExpect ExitExpect::parse(const std::string& rest) {
  const auto arrow = rest.find("->");
  if (arrow == std::string::npos) {
    if (!rest.empty()) throw std::invalid_argument("exit takes no argument before '->', got '" + rest + "'");
    return {};
  }
  if (const auto before = trim(rest.substr(0, arrow)); !before.empty())
    throw std::invalid_argument("exit takes no argument before '->', got '" + before + "'");
  const auto outcome = trim(rest.substr(arrow + 2));
  if (outcome.empty()) throw std::invalid_argument("'->' needs an exit code or a signal name, e.g. 'exit -> 0'");
  return exit_expecting(outcome);
}

std::optional<ProgramStep> parse_program_step(Side side, const std::string& text) {
  const auto body = trim(text);
  const auto space = body.find_first_of(" \t");
  const std::string verb = body.substr(0, space);
  std::string rest = space == std::string::npos ? "" : trim(body.substr(space));
  std::optional<ProgramStep> step;
  // The alternative whose word opens the step, parsed from the rest.
  for_each_alternative<ProgramAction>([&](auto tag, std::size_t) {
    using T = typename decltype(tag)::type;
    if (step || verb != T::word) return;
    step.emplace();
    step->side = side;
    if constexpr (T::within) {
      if (const auto within = take_trailing_within(rest)) step->within = *within;
      if constexpr (!std::is_same_v<T, Ready>) step->at = take_trailing_at(rest);
      rest = trim(rest);
    }
    step->action = T::parse(rest);
  });
  return step;
}

}  // namespace closepath
