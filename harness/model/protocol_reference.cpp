#include "protocol_reference.hpp"

#include <string>

namespace closepath {
namespace {

using nlohmann::json;

// A table cell: one line, pipes escaped.
std::string cell(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.is_null() ? std::string("-") : v.dump();
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return out;
}

std::string fields_table(const json& fields) {
  if (fields.empty()) return "(no fields)\n";
  std::string out = "| field | type | required | meaning |\n|---|---|---|---|\n";
  for (const auto& f : fields)
    out += "| `" + cell(f["name"]) + "` | " + cell(f["type"]) + " | " + (f["required"].get<bool>() ? "yes" : "no") + " | " +
           cell(f["doc"]) + " |\n";
  return out;
}

std::string channel_text(const json& spec) {
  std::string out = "### The channel\n\n";
  for (const char* key : {"framing", "arguments", "hello", "concurrency", "fatal"})
    out += "- " + std::string(key) + ": " + cell(spec["channel"][key]) + "\n";
  out += "\n### Every command\n\n" + fields_table(spec["command_fields"]);
  return out;
}

std::string ops_text(const json& spec) {
  std::string out = "\n### Commands\n\n";
  for (const auto& op : spec["ops"]) {
    out += "#### `" + cell(op["op"]) + "`";
    if (op["word"].is_string()) out += " (step word: `" + cell(op["word"]) + "`)";
    out += "\n\n" + cell(op["doc"]) + "\n\n" + fields_table(op["fields"]) + "\n";
  }
  return out;
}

std::string answers_text(const json& spec) {
  std::string out = "### Answers\n\n" + fields_table(spec["outcome_fields"]) + "\nEnd words:\n\n| end | meaning |\n|---|---|\n";
  for (const auto& e : spec["end_words"])
    out += "| `" + cell(e["word"]) + "` | " + cell(e["doc"]) + (e["expectable"].get<bool>() ? "" : " (never expected)") + " |\n";
  out += "\n### Runtimes\n\n| runtime | program | what it is |\n|---|---|---|\n";
  for (const auto& r : spec["runtimes"]) out += "| `" + cell(r["name"]) + "` | " + cell(r["program"]) + " | " + cell(r["doc"]) + " |\n";
  out += "\nAn error with an errno ends with the errno's name, whatever the runtime calls it; one without is named by "
         "the first of these its `runtime.is` holds (else `RUNTIME:WORD`):\n\n| runtime | word | end | meaning |\n|---|---|---|---|\n";
  for (const auto& w : spec["runtime_words"])
    out += "| " + cell(w["runtime"]) + " | `" + cell(w["word"]) + "` | `" + cell(w["end"]) + "` | " + cell(w["doc"]) + " |\n";
  return out;
}

std::string tables_text(const json& spec) {
  std::string out = "\n### Socket options\n\n| name | level | option | kind | meaning |\n|---|---|---|---|---|\n";
  for (const auto& o : spec["socket_options"])
    out += "| `" + cell(o["name"]) + "` | " + cell(o["level"]) + " | " + cell(o["option"]) + " | " + cell(o["kind"]) + " | " +
           cell(o["doc"]) + " |\n";
  out += "\ntcp_info fields (with `state`): ";
  std::string names;
  for (const auto& n : spec["tcp_info_fields"]) names += (names.empty() ? "" : ", ") + ("`" + cell(n) + "`");
  return out + names + "\n";
}

}  // namespace

std::string protocol_markdown(const json& spec) {
  return channel_text(spec) + ops_text(spec) + answers_text(spec) + tables_text(spec);
}

}  // namespace closepath
