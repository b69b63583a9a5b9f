#include "outcome.hpp"

#include "quoted_text.hpp"
#include "runtimes.hpp"

#include <cstring>
#include <stdexcept>

namespace closepath::protocol {

std::string errno_name(int value) {
  if (const char* name = strerrorname_np(value)) return name;
  return "errno" + std::to_string(value);
}

bool is_end_word(const std::string& end) {
  for (const auto& w : kEndWords)
    if (w.expectable && end == w.word) return true;
  return false;
}

std::string end_words_text() {
  std::string text;
  for (const auto& w : kEndWords)
    if (w.expectable) text += (text.empty() ? "" : ", ") + std::string(w.word);
  return text;
}

const std::vector<std::string>& tcp_info_counter_names() {
  static const std::vector<std::string> names{"retransmits", "total_retrans", "unacked", "lost", "probes", "backoff",
                                              "rto_ms", "snd_cwnd", "rtt_us"};
  return names;
}

bool is_tcp_info_gauge(const std::string& name) { return name == "rto_ms" || name == "snd_cwnd" || name == "rtt_us"; }

nlohmann::json to_json(const Outcome& o) {
  nlohmann::json j{{"end", o.end}, {"bytes", o.bytes}};
  if (o.start_ns) j["start_ns"] = o.start_ns;
  if (o.end_ns) j["end_ns"] = o.end_ns;
  if (o.deadline) j["deadline"] = true;
  if (o.announced) j["announced"] = *o.announced;
  if (o.error) j["error"] = {{"category", o.error->category}, {"value", o.error->value}, {"message", o.error->message}};
  if (o.errno_value) j["errno"] = *o.errno_value;
  if (o.signal) j["signal"] = *o.signal;
  if (o.tcp_info) {
    j["tcp_info"] = o.tcp_info->counters;
    j["tcp_info"]["state"] = o.tcp_info->state;
  }
  if (o.data) j["hex"] = hex_of(*o.data);
  if (!o.runtime.empty()) j["runtime"]["name"] = o.runtime;
  if (o.said) {
    j["runtime"]["said"] = o.said->text;
    j["runtime"]["is"] = o.said->is;
  }
  return j;
}

Outcome parse_outcome(const nlohmann::json& j, const std::string& runtime) {
  const bool said = j.is_object() && j.contains("runtime") && j["runtime"].is_object() && j["runtime"].contains("is");
  if (!j.is_object() || !(j.contains("end") ? j["end"].is_string() : said))
    throw std::invalid_argument("an outcome needs 'end' (or, for an error, its runtime's words), got " + j.dump());
  try {
    Outcome o;
    o.runtime = j.contains("runtime") ? j["runtime"].value("name", runtime) : runtime;
    if (said) o.said = RuntimeSaid{j["runtime"].value("said", ""), j["runtime"]["is"].get<std::vector<std::string>>()};
    o.bytes = j.value("bytes", std::uint64_t{0});
    o.deadline = j.value("deadline", false);
    if (j.contains("announced")) o.announced = j["announced"].get<std::uint32_t>();
    if (j.contains("error")) {
      const auto& e = j["error"];
      o.error = ErrorDetail{e.value("category", ""), e.value("value", 0), e.value("message", "")};
    }
    if (j.contains("errno")) o.errno_value = j["errno"].get<int>();
    if (j.contains("signal")) o.signal = j["signal"].get<int>();
    if (j.contains("tcp_info")) {
      TcpInfo info;
      for (const auto& [name, value] : j["tcp_info"].items()) {
        if (name == "state") info.state = value.get<std::string>();
        else info.counters[name] = value.get<std::uint64_t>();
      }
      o.tcp_info = std::move(info);
    }
    if (j.contains("hex")) o.data = bytes_of_hex(j["hex"].get<std::string>(), "an outcome's 'hex'");
    o.start_ns = j.value("start_ns", std::int64_t{0});
    o.end_ns = j.value("end_ns", std::int64_t{0});
    o.end = j.contains("end") ? j["end"].get<std::string>() : end_of(o.runtime, *o.said, o.errno_value);
    return o;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("malformed outcome: ") + e.what());
  }
}

}  // namespace closepath::protocol
