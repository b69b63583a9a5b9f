#include "command.hpp"

#include <stdexcept>

namespace closepath::protocol {
namespace {

using nlohmann::json;

// Each action's fields, both ways. An action without fields has neither.
void fields_to(json&, const Listen&) {}
void fields_to(json& j, const Connect& a) {
  if (a.port) j["port"] = *a.port;
}
void fields_to(json&, const Accept&) {}
void fields_to(json& j, const Send& a) { j["n"] = a.bytes; }
void fields_to(json& j, const Recv& a) {
  j["mode"] = a.mode == Recv::Mode::some ? "some" : a.mode == Recv::Mode::exact ? "exact" : "all";
  if (a.mode == Recv::Mode::exact) j["n"] = a.bytes;
}
void fields_to(json& j, const Shutdown& a) { j["how"] = a.how; }
void fields_to(json&, const Close&) {}
void fields_to(json& j, const SetOption& a) {
  j["name"] = a.name;
  j["value"] = a.value;
}
void fields_to(json& j, const SendMessage& a) {
  j["announce"] = a.announce;
  j["n"] = a.bytes;
}
void fields_to(json&, const RecvMessage&) {}
void fields_to(json&, const TlsHandshake&) {}
void fields_to(json&, const TlsStall&) {}
void fields_to(json&, const TlsCloseNotify&) {}
void fields_to(json&, const Crash&) {}
void fields_to(json&, const Drain&) {}
void fields_to(json&, const Poll&) {}
void fields_to(json& j, const Get& a) { j["item"] = a.item == Get::Item::so_error ? "so_error" : "tcp_info"; }
void fields_to(json& j, const TlsSetup& a) {
  if (!a.ca_pem.empty()) j["ca"] = a.ca_pem;
  if (!a.cert_pem.empty()) j["cert"] = a.cert_pem;
  if (!a.key_pem.empty()) j["key"] = a.key_pem;
}
void fields_to(json&, const Await&) { throw std::logic_error("await is the runner's own: it is never sent to a peer"); }
void fields_to(json&, const Destroy&) { throw std::logic_error("destroy is the runner's own: it is never sent to a peer"); }

template <typename T>
T field(const json& j, const char* key) {
  if (!j.contains(key)) throw std::invalid_argument(std::string("'") + j.value("op", "?") + "' needs '" + key + "'");
  try {
    return j.at(key).get<T>();
  } catch (const json::exception&) {
    throw std::invalid_argument(std::string("'") + j.value("op", "?") + "': '" + key + "' has the wrong type");
  }
}

void fields_from(const json&, Listen&) {}
void fields_from(const json& j, Connect& a) {
  if (j.contains("port")) a.port = field<int>(j, "port");
}
void fields_from(const json&, Accept&) {}
void fields_from(const json& j, Send& a) { a.bytes = field<std::size_t>(j, "n"); }
void fields_from(const json& j, Recv& a) {
  const auto mode = j.contains("mode") ? field<std::string>(j, "mode") : "some";
  if (mode == "some") a.mode = Recv::Mode::some;
  else if (mode == "all") a.mode = Recv::Mode::all;
  else if (mode == "exact") {
    a.mode = Recv::Mode::exact;
    a.bytes = field<std::size_t>(j, "n");
  } else {
    throw std::invalid_argument("'recv': unknown mode '" + mode + "'");
  }
}
void fields_from(const json& j, Shutdown& a) { a.how = field<std::string>(j, "how"); }
void fields_from(const json&, Close&) {}
void fields_from(const json& j, SetOption& a) {
  a.name = field<std::string>(j, "name");
  a.value = field<int>(j, "value");
}
void fields_from(const json& j, SendMessage& a) {
  a.announce = field<std::uint32_t>(j, "announce");
  a.bytes = field<std::size_t>(j, "n");
}
void fields_from(const json&, RecvMessage&) {}
void fields_from(const json&, TlsHandshake&) {}
void fields_from(const json&, TlsStall&) {}
void fields_from(const json&, TlsCloseNotify&) {}
void fields_from(const json&, Crash&) {}
void fields_from(const json&, Drain&) {}
void fields_from(const json&, Poll&) {}
void fields_from(const json& j, Get& a) {
  const auto item = field<std::string>(j, "item");
  if (item == "so_error") a.item = Get::Item::so_error;
  else if (item == "tcp_info") a.item = Get::Item::tcp_info;
  else throw std::invalid_argument("'get': unknown item '" + item + "'");
}
void fields_from(const json& j, TlsSetup& a) {
  if (j.contains("ca")) a.ca_pem = field<std::string>(j, "ca");
  if (j.contains("cert")) a.cert_pem = field<std::string>(j, "cert");
  if (j.contains("key")) a.key_pem = field<std::string>(j, "key");
}
void fields_from(const json&, Await&) { throw std::invalid_argument("'await' is the runner's own, not a peer command"); }
void fields_from(const json&, Destroy&) { throw std::invalid_argument("'destroy' is the runner's own, not a peer command"); }

// The alternative whose op is `op`, found by walking the variant's types.
template <std::size_t I = 0>
Action action_named(const std::string& op, const json& j) {
  if constexpr (I == std::variant_size_v<Action>) {
    throw std::invalid_argument("unknown op '" + op + "'");
  } else {
    using T = std::variant_alternative_t<I, Action>;
    if (op != T::op) return action_named<I + 1>(op, j);
    T a;
    fields_from(j, a);
    return a;
  }
}

}  // namespace

const char* op_name(const Action& a) {
  return std::visit([](const auto& x) { return std::decay_t<decltype(x)>::op; }, a);
}

json to_json(const Command& c) {
  json j{{"id", c.id}, {"op", op_name(c.action)}, {"within_ms", c.within.count()}};
  std::visit([&](const auto& a) { fields_to(j, a); }, c.action);
  return j;
}

Command parse_command(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("a command must be a JSON object");
  Command c;
  c.id = field<int>(j, "id");
  if (j.contains("within_ms")) c.within = std::chrono::milliseconds(field<std::int64_t>(j, "within_ms"));
  c.action = action_named(field<std::string>(j, "op"), j);
  return c;
}

}  // namespace closepath::protocol
