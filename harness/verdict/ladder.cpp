#include "ladder.hpp"

#include "frame_notes.hpp"

#include "wire_effect.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace closepath {
namespace {

constexpr std::size_t kWidth = 80, kPrefix = 15, kBody = kWidth - kPrefix;

// "   1234.5 9999 ": the time in ms and the frame's number (Wireshark's No.).
// A number wider than 4 digits takes room from the time, which then drops
// its decimal, then goes to seconds ("s"), so the prefix stays 15 columns.
std::string prefix(std::int64_t t_ns, const std::string& number) {
  const std::size_t digits = std::max<std::size_t>(4, number.size());
  const std::size_t room = kPrefix - 2 - std::min(digits, kPrefix - 4);
  const double ms = static_cast<double>(t_ns) / 1e6;
  char time[64] = "";
  for (const auto& [format, value] : {std::pair{"%.1f", ms}, {"%.0f", ms}, {"%.1fs", ms / 1e3}, {"%.0fs", ms / 1e3}}) {
    std::snprintf(time, sizeof time, format, value);
    if (std::char_traits<char>::length(time) <= room) break;
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, "%*s %*s ", static_cast<int>(room), time, static_cast<int>(digits), number.c_str());
  return buf;
}

std::string fit(std::string s, std::size_t width) {
  if (s.size() > width) s = s.substr(0, width - 3) + "...";
  return s;
}

// Lines of at most `width`, broken between words (a word longer than a line is cut).
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> lines{""};
  std::size_t at = 0;
  while (at < text.size()) {
    const auto space = text.find(' ', at);
    const auto word = text.substr(at, space == std::string::npos ? std::string::npos : space - at);
    at = space == std::string::npos ? text.size() : space + 1;
    auto& line = lines.back();
    if (!line.empty() && line.size() + 1 + word.size() > width) lines.push_back(fit(word, width));
    else line += (line.empty() ? "" : " ") + fit(word, width);
  }
  return lines;
}

std::string right(const std::string& s) { return std::string(kBody - std::min(kBody, s.size()), ' ') + fit(s, kBody); }
std::string centre(const std::string& s) {
  const auto t = fit(s, kBody);
  return std::string((kBody - t.size()) / 2, ' ') + t;
}

std::string label(const pcap::FlowPacket& p) {
  std::string s = pcap::flag_letters(p.flags) + " " + std::to_string(p.seq);
  if (p.flags & pcap::kAck) s += ":" + std::to_string(p.ack);
  if (p.len) s += " len " + std::to_string(p.len);
  return s;
}

// What the wire did, as one letter in the middle of the arrow (' ' for nothing).
char fault_mark(const pcap::FlowPacket& p) {
  if (p.injected) return '*';
  if (!p.delivered) return 'X';
  if (pcap::has(p.effects, pcap::WireEffect::held)) return 'H';
  if (pcap::has(p.effects, pcap::WireEffect::delayed)) return 'D';
  if (pcap::has(p.effects, pcap::WireEffect::reordered)) return 'R';
  return ' ';
}

std::string arrow(const pcap::FlowPacket& p) {
  const std::string text = label(p);
  const std::size_t line = kBody - text.size() - 3;
  std::string shaft(line, '-');
  const char mark = fault_mark(p);
  if (mark != ' ') shaft[line / 2] = mark;
  if (p.injected) {  // from the wire, not from the end it names
    for (std::size_t i = 0; i < line / 2; ++i) shaft[p.dir == pcap::Dir::c2s ? i : line - 1 - i] = ' ';
  }
  return p.dir == pcap::Dir::c2s ? text + " " + shaft + "> " : " <" + shaft + " " + text;
}

// What the wire did to a packet it touched, in its capture comment's words
// from the fault's part on (the step label before it is the ladder's own);
// nothing for a packet the wire left alone, whatever its comment says.
std::string fault_note(const pcap::FlowPacket& p) {
  if (!p.effects && p.delivered && !p.injected) return "";
  const auto wire = note::wire_part(p.note);
  for (const char* key : {note::kDropped, note::kInjected, note::kInjectFailed, note::kLost, note::kCorrupted, "held",
                          "delayed", "reordered", "duplicated", "still"})
    if (const auto at = wire.find(key); at != std::string::npos) return wire.substr(at);
  return "";
}

}  // namespace

namespace {

// Steps and packets merged by time (steps first on a tie: they cause packets).
// Packets stay in their given order, the order inference read them in,
// even where a capture's timestamps go backwards: each sorts at the latest
// time seen so far, and shows its own.
struct Row {
  std::int64_t t;
  int order;  // 0 a step, 1 a packet
  std::size_t index;
};
std::vector<Row> rows_of(const LadderInput& in) {
  std::vector<Row> rows;
  for (std::size_t i = 0; i < in.steps.size(); ++i) rows.push_back({in.steps[i].t_ns, 0, i});
  std::int64_t latest = INT64_MIN;
  for (std::size_t i = 0; i < in.packets.size(); ++i) {
    latest = std::max(latest, in.packets[i].mono_ns);
    rows.push_back({latest, 1, i});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return std::tie(a.t, a.order) < std::tie(b.t, b.order); });
  return rows;
}

using StatesAt = std::map<std::size_t, std::vector<std::string>>;  // packet index -> the states it caused

// "[FIN_WAIT1]   ...   [CLOSE_WAIT > LAST_ACK]": each side's changes under the packet; "" for none.
std::string state_line(const StatesAt& client, const StatesAt& server, std::size_t packet) {
  const auto cs = client.find(packet);
  const auto ss = server.find(packet);
  if (cs == client.end() && ss == server.end()) return "";
  const auto bracket = [](const StatesAt& at, StatesAt::const_iterator it) {
    std::string text;
    if (it != at.end())
      for (const auto& st : it->second) text += (text.empty() ? "[" : " > ") + st;
    return text.empty() ? text : text + "]";
  };
  const std::string left = bracket(client, cs), rightside = bracket(server, ss);
  return left + std::string(kBody - std::min(kBody, left.size() + rightside.size()), ' ') + rightside;
}

}  // namespace

std::string render_ladder(const LadderInput& in) {
  const char* red = in.colour ? "\x1b[31m" : "";
  const char* dim = in.colour ? "\x1b[2m" : "";
  const char* off = in.colour ? "\x1b[0m" : "";
  StatesAt client_states, server_states;
  for (const auto& c : in.states.client) client_states[c.packet].push_back(state_text(c.state));
  for (const auto& c : in.states.server) server_states[c.packet].push_back(state_text(c.state));

  std::string head = "     t ms  No.";
  head.resize(kPrefix, ' ');
  std::string out = head + "client" + std::string(kBody - 12, ' ') + "server\n";
  // Every line ends at its last character: no trailing blanks, never past 80 columns.
  auto emit = [&out](std::string line, const char* on = "", const char* off_ = "") {
    line.erase(line.find_last_not_of(' ') + 1);
    out += on + line + off_ + "\n";
  };
  for (const auto& row : rows_of(in)) {
    const auto t = pcap::elapsed_ns(row.order == 0 ? row.t : in.packets[row.index].mono_ns, in.t0_ns);
    if (row.order == 0) {
      const auto& s = in.steps[row.index];
      const std::string body = s.where == LadderStep::Where::client   ? fit(s.text, kBody)
                               : s.where == LadderStep::Where::server ? right(s.text)
                                                                      : centre(s.text);
      emit(prefix(t, "") + body, s.bad ? red : "", s.bad ? off : "");
      continue;
    }
    const auto& p = in.packets[row.index];
    const bool marked = in.marked && *in.marked == row.index;
    std::string line = prefix(t, std::to_string(p.frame + 1)) + arrow(p);
    if (marked) line.replace(0, 2, "!!");
    const char* colour = marked ? red : (!p.delivered ? dim : "");
    emit(line, colour, *colour ? off : "");
    if (const auto note = fault_note(p); !note.empty())
      for (const auto& part : wrap(note, kBody)) emit(std::string(kPrefix, ' ') + centre(part));
    if (const auto states = state_line(client_states, server_states, row.index); !states.empty())
      emit(std::string(kPrefix, ' ') + fit(states, kBody));
  }
  return out;
}

}  // namespace closepath
