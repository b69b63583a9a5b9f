#include "spec.hpp"

#include "actions.hpp"
#include "command.hpp"
#include "overloaded.hpp"
#include "runtimes.hpp"
#include "socket_options.hpp"

namespace closepath::protocol {
namespace {

using nlohmann::json;

constexpr Field kCommandFields[] = {
    {"id", "integer", true, "the command's number: its answer carries it back"},
    {"op", "string", true, "the action (ops below)"},
    {"within_ms", "integer", false, "the action's own deadline in ms (default 5000): every wait ends by it"},
};

constexpr Field kOutcomeFields[] = {
    {"id", "integer", true, "the command's"},
    {"end", "string", false,
     "how it ended: an end word or an errno name; a peer may leave it out for an error and give runtime.is, which names it"},
    {"bytes", "integer", true, "bytes moved (a get of inq, outq or cm_inq: the count read)"},
    {"deadline", "boolean", false, "the action's own deadline ended it"},
    {"announced", "integer", false, "recv_message: the length the header announced"},
    {"errno", "integer", false, "the errno, for an error that has one"},
    {"error", "object", false, "Asio's error_code: category, value, message"},
    {"runtime", "object", false,
     "what the runtime told the program: said (its text), is (the words it matches: sentinels, classes, types)"},
    {"signal", "integer", false, "crash: the signal the peer died of (the harness's own record)"},
    {"tcp_info", "object", false, "get tcp_info: state and the counters (tcp_info fields)"},
    {"hex", "hex", false, "the bytes a read took, when it was asked to keep them"},
    {"start_ns", "integer", false, "CLOCK_MONOTONIC when the action began"},
    {"end_ns", "integer", false, "CLOCK_MONOTONIC when it ended"},
};

json fields_json(std::span<const Field> fields) {
  json out = json::array();
  for (const auto& f : fields)
    out.push_back({{"name", f.name}, {"type", f.type}, {"required", f.required}, {"doc", f.doc}});
  return out;
}

json ops_json() {
  json ops = json::array();
  for_each_alternative<Action>([&](auto tag, std::size_t) {
    using T = typename decltype(tag)::type;
    json op{{"op", T::op}, {"fields", json::array()}};
    if constexpr (requires { T::doc; }) op["doc"] = T::doc, op["word"] = T::word;
    else op["doc"] = "the runner's own, before a TLS scenario's steps: the run's credentials", op["word"] = nullptr;
    if constexpr (requires { T::fields; }) op["fields"] = fields_json(T::fields);
    ops.push_back(op);
  });
  return ops;
}

json tables_json() {
  json t;
  for (const auto& e : kEndWords) t["end_words"].push_back({{"word", e.word}, {"doc", e.doc}, {"expectable", e.expectable}});
  for (const auto& r : kRuntimes) t["runtimes"].push_back({{"name", r.name}, {"program", r.program}, {"doc", r.doc}});
  for (const auto& w : kRuntimeWords)
    t["runtime_words"].push_back({{"runtime", w.runtime}, {"word", w.word}, {"end", w.end}, {"doc", w.doc}});
  for (const auto& o : socket_options()) {
    const char* kind = o.kind == SocketOptionSpec::Kind::linger ? "linger" : o.kind == SocketOptionSpec::Kind::flag ? "flag" : "integer";
    t["socket_options"].push_back({{"name", o.name}, {"level", o.level}, {"option", o.option}, {"kind", kind}, {"doc", o.doc}});
  }
  t["tcp_info_fields"] = tcp_info_counter_names();
  return t;
}

}  // namespace

std::span<const Field> outcome_fields() { return kOutcomeFields; }

json protocol_spec() {
  json spec{
      {"channel",
       {{"fd", 3},
        {"framing", "one JSON object per line, each way, on file descriptor 3 (a socketpair; never the network under test)"},
        {"hello", "before any command, the peer's first line: {\"hello\": PROGRAM, \"runtime\": RUNTIME, \"pid\": N} "
                  "(no runtime: asio)"},
        {"concurrency", "commands run concurrently: an answer may come before that of a command sent earlier"},
        {"fatal", "a command the peer cannot carry out as written is answered {\"id\": N, \"fatal\": WHY} (id -1 when "
                  "the line is not a command) and the peer exits 2: a harness bug, not an outcome"},
        {"arguments", "--role client|server --local ADDR --remote ADDR --port SERVER_PORT --client-port PORT"},
        {"default_within_ms", kDefaultWithin.count()}}},
      {"command_fields", fields_json(kCommandFields)},
      {"ops", ops_json()},
      {"outcome_fields", fields_json(kOutcomeFields)},
  };
  spec.update(tables_json());
  return spec;
}

}  // namespace closepath::protocol
