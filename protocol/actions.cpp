#include "actions.hpp"

#include "action_grammar.hpp"
#include "quoted_text.hpp"
#include "socket_options.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <utility>
#include <stdexcept>

namespace closepath::protocol {
namespace {

using nlohmann::json;

constexpr long long kMaxBytes = 64 << 20;

// 1 to kMaxBytes; `otherwise` names what else the action takes (", or 'all'").
long long byte_count(const std::string& word, const std::string& what, const char* otherwise = "") {
  const auto n = word_number(word, what);
  if (n <= 0 || n > kMaxBytes)
    throw std::invalid_argument(what + " needs 1 to " + std::to_string(kMaxBytes) + " bytes" + otherwise);
  return n;
}

int option_value(const SocketOptionSpec& option, const std::string& w) {
  const std::string name = option.name;
  if (option.kind == SocketOptionSpec::Kind::linger && w == "off") return -1;
  if (w == "on") return 1;
  if (w == "off") return 0;
  const auto v = word_number(w, "set " + name);
  if (v < 0 || v > 1'000'000'000) throw std::invalid_argument("set " + name + ": value out of range");
  return static_cast<int>(v);
}

}  // namespace

// --- the grammar: the words after each action's own --------------------------------

Listen Listen::parse(const Words& a) { return want_words(a, 0, 0, word), Listen{}; }
Accept Accept::parse(const Words& a) { return want_words(a, 0, 0, word), Accept{}; }
Close Close::parse(const Words& a) { return want_words(a, 0, 0, word), Close{}; }
RecvMessage RecvMessage::parse(const Words& a) { return want_words(a, 0, 0, word), RecvMessage{}; }
TlsStall TlsStall::parse(const Words& a) { return want_words(a, 0, 0, word), TlsStall{}; }
TlsCloseNotify TlsCloseNotify::parse(const Words& a) { return want_words(a, 0, 0, word), TlsCloseNotify{}; }
Crash Crash::parse(const Words& a) { return want_words(a, 0, 0, word), Crash{}; }
Drain Drain::parse(const Words& a) { return want_words(a, 0, 0, word), Drain{}; }
Poll Poll::parse(const Words& a) { return want_words(a, 0, 0, word), Poll{}; }

Connect Connect::parse(const Words& a) {
  Connect c;
  if (a.empty()) return c;
  want_words(a, 2, 2, word);
  if (a[0] != "port") throw std::invalid_argument("connect takes 'port N', got '" + a[0] + "'");
  const auto port = word_number(a[1], "port");
  if (port < 1 || port > 65535) throw std::invalid_argument("port out of range");
  c.port = static_cast<int>(port);
  return c;
}

Send Send::parse(const Words& a) {
  if (!a.empty() && a[0] == "file") {
    if (a.size() != 2) throw std::invalid_argument("write 'send file PATH' (one path; quote none of it)");
    Send s;
    s.file = a[1];
    return s;
  }
  want_words(a, 1, 1, word);
  if (auto text = quoted_text(a[0])) {
    if (text->empty()) throw std::invalid_argument("send \"\" sends nothing: give the bytes to send");
    if (text->size() > static_cast<std::size_t>(kMaxBytes)) throw std::invalid_argument("send: a text longer than 64 MiB");
    return Send{text->size(), std::move(text), {}};
  }
  return Send{static_cast<std::size_t>(byte_count(a[0], "send", ", a \"TEXT\" or 'file PATH'")), std::nullopt, {}};
}

void Send::read_files(Send& a, const std::string& dir) {
  if (a.file.empty()) return;
  std::string path = a.file;
  if (path.rfind("{dir}", 0) == 0) path = dir + path.substr(5);
  if (path.find('{') != std::string::npos)
    throw std::invalid_argument("send file: only {dir} may open its path (the file is read when the scenario is), got '" + a.file + "'");
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) throw std::invalid_argument("send file: cannot open '" + path + "': " + std::strerror(errno));
  if (std::filesystem::is_directory(path)) throw std::invalid_argument("send file: '" + path + "' is a directory");
  std::ostringstream read;
  read << in.rdbuf();  // an empty file sets failbit here: refused below
  auto bytes = std::move(read).str();
  if (bytes.empty()) throw std::invalid_argument("send file: '" + path + "' is empty: nothing to send");
  if (bytes.size() > static_cast<std::size_t>(kMaxBytes)) throw std::invalid_argument("send file: '" + path + "' is over 64 MiB");
  a.bytes = bytes.size();
  a.data = std::move(bytes);
  a.file.clear();
}

Recv Recv::parse(const Words& a) {
  want_words(a, 0, 1, word);
  Recv r;
  if (a.empty()) return r;
  if (a[0] == "all") {
    r.mode = Mode::all;
    return r;
  }
  r.mode = Mode::exact;
  r.bytes = static_cast<std::size_t>(byte_count(a[0], "recv", ", or 'all'"));
  return r;
}

Shutdown Shutdown::parse(const Words& a) {
  want_words(a, 1, 1, word);
  if (a[0] != "rd" && a[0] != "wr" && a[0] != "rdwr") throw std::invalid_argument("shutdown takes rd, wr or rdwr, got '" + a[0] + "'");
  return Shutdown{a[0]};
}

SetOption SetOption::parse(const Words& a) {
  want_words(a, 2, 2, word);
  const auto* option = find_socket_option(a[0]);
  if (!option) throw std::invalid_argument("unknown socket option '" + a[0] + "' (known: " + socket_option_names() + ")");
  return SetOption{.name = a[0], .value = option_value(*option, a[1])};
}

SendMessage SendMessage::parse(const Words& a) {
  want_words(a, 2, 2, word);
  const auto announce = word_number(a[0], "send message (announced length)");
  const auto sent = word_number(a[1], "send message (bytes sent)");
  if (announce < 0 || announce > kMaxBytes || sent < 0 || sent > announce)
    throw std::invalid_argument("send message N M needs 0 <= M <= N <= " + std::to_string(kMaxBytes));
  return SendMessage{static_cast<std::uint32_t>(announce), static_cast<std::size_t>(sent)};
}

namespace {
std::optional<Get::Item> get_item(const std::string& w) {
  for (const auto& [item, name] : Get::kItems)
    if (w == name) return item;
  return std::nullopt;
}
}  // namespace

const char* Get::name(Item item) {
  for (const auto& [i, n] : kItems)
    if (i == item) return n;
  throw std::logic_error("get: an item with no name");
}

Get Get::parse(const Words& a) {
  want_words(a, 1, 1, word);
  if (const auto item = get_item(a[0])) return Get{*item};
  std::string known;
  for (const auto& [i, n] : kItems) known += (known.empty() ? "" : ", ") + std::string(n);
  throw std::invalid_argument("get takes " + known + ", got '" + a[0] + "'");
}

// --- the fields on the control channel -------------------------------------------

void Connect::to_json(json& j, const Connect& a) {
  if (a.port) j["port"] = *a.port;
}
void Connect::from_json(const json& j, Connect& a) {
  if (j.contains("port")) a.port = json_field<int>(j, "port");
}
void Send::to_json(json& j, const Send& a) {
  j["n"] = a.bytes;
  if (a.data) j["hex"] = hex_of(*a.data);
}
void Send::from_json(const json& j, Send& a) {
  a.bytes = json_field<std::size_t>(j, "n");
  if (!j.contains("hex")) return;
  a.data = bytes_of_hex(json_field<std::string>(j, "hex"), "'send': 'hex'");
  if (a.data->size() != a.bytes) throw std::invalid_argument("'send': 'n' is not the length of 'hex'");
}
void Recv::to_json(json& j, const Recv& a) {
  j["mode"] = a.mode == Mode::some ? "some" : a.mode == Mode::exact ? "exact" : "all";
  if (a.mode == Mode::exact) j["n"] = a.bytes;
  if (a.keep) j["keep"] = true;
}
void Recv::from_json(const json& j, Recv& a) {
  const auto mode = j.contains("mode") ? json_field<std::string>(j, "mode") : "some";
  if (mode == "some") a.mode = Mode::some;
  else if (mode == "all") a.mode = Mode::all;
  else if (mode == "exact") a.mode = Mode::exact, a.bytes = json_field<std::size_t>(j, "n");
  else throw std::invalid_argument("'recv': unknown mode '" + mode + "'");
  a.keep = j.contains("keep") && json_field<bool>(j, "keep");
}
void Shutdown::to_json(json& j, const Shutdown& a) { j["how"] = a.how; }
void Shutdown::from_json(const json& j, Shutdown& a) { a.how = json_field<std::string>(j, "how"); }
void SetOption::to_json(json& j, const SetOption& a) {
  j["name"] = a.name;
  j["value"] = a.value;
}
void SetOption::from_json(const json& j, SetOption& a) {
  a.name = json_field<std::string>(j, "name");
  a.value = json_field<int>(j, "value");
}
void SendMessage::to_json(json& j, const SendMessage& a) {
  j["announce"] = a.announce;
  j["n"] = a.bytes;
}
void SendMessage::from_json(const json& j, SendMessage& a) {
  a.announce = json_field<std::uint32_t>(j, "announce");
  a.bytes = json_field<std::size_t>(j, "n");
}
void Get::to_json(json& j, const Get& a) { j["item"] = name(a.item); }
void Get::from_json(const json& j, Get& a) {
  const auto name = json_field<std::string>(j, "item");
  const auto item = get_item(name);
  if (!item) throw std::invalid_argument("'get': unknown item '" + name + "'");
  a.item = *item;
}
TlsHandshake TlsHandshake::parse(const Words& a) {
  TlsHandshake h;
  const char* form = " (write 'tls handshake [verify none|ca FILE] [sni NAME] [cert FILE key FILE]')";
  auto value = [&](std::size_t& i) -> const std::string& {
    if (i + 1 >= a.size()) throw std::invalid_argument("tls handshake: '" + a[i] + "' needs a value" + form);
    return a[++i];
  };
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == "verify") {
      if (value(i) != "none") throw std::invalid_argument("tls handshake: verify takes 'none', got '" + a[i] + "'" + form);
      h.verify = false;
    } else if (a[i] == "ca") h.ca_file = value(i);
    else if (a[i] == "sni") h.sni = value(i);
    else if (a[i] == "cert") h.cert_file = value(i);
    else if (a[i] == "key") h.key_file = value(i);
    else throw std::invalid_argument("tls handshake: unknown word '" + a[i] + "'" + form);
  }
  if (!h.verify && !h.ca_file.empty()) throw std::invalid_argument("tls handshake: verify none and ca FILE contradict each other");
  if (h.cert_file.empty() != h.key_file.empty()) throw std::invalid_argument("tls handshake: cert FILE and key FILE go together");
  static const std::regex host_name("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
  if (!h.sni.empty() && !std::regex_match(h.sni, host_name))
    throw std::invalid_argument("tls handshake: sni '" + h.sni + "' is not a host name");
  return h;
}

namespace {
std::string read_pem(const std::string& written, const std::string& dir, const char* what) {
  std::string path = written.rfind("{dir}", 0) == 0 ? dir + written.substr(5) : written;
  if (path.find('{') != std::string::npos)
    throw std::invalid_argument(std::string("tls handshake: only {dir} may open the path of ") + what + ", got '" + written + "'");
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open() || std::filesystem::is_directory(path))
    throw std::invalid_argument(std::string("tls handshake: cannot read ") + what + " '" + path + "'");
  std::ostringstream read;
  read << in.rdbuf();
  auto text = std::move(read).str();
  if (text.find("-----BEGIN ") == std::string::npos)
    throw std::invalid_argument(std::string("tls handshake: ") + what + " '" + path + "' holds no PEM block");
  return text;
}
}  // namespace

void TlsHandshake::read_files(TlsHandshake& a, const std::string& dir) {
  if (!a.ca_file.empty()) a.ca_pem = read_pem(std::exchange(a.ca_file, {}), dir, "ca FILE");
  if (!a.cert_file.empty()) a.cert_pem = read_pem(std::exchange(a.cert_file, {}), dir, "cert FILE");
  if (!a.key_file.empty()) a.key_pem = read_pem(std::exchange(a.key_file, {}), dir, "key FILE");
}
void TlsHandshake::to_json(json& j, const TlsHandshake& a) {
  if (!a.verify) j["verify"] = false;
  if (!a.sni.empty()) j["sni"] = a.sni;
  if (!a.ca_pem.empty()) j["ca"] = a.ca_pem;
  if (!a.cert_pem.empty()) j["cert"] = a.cert_pem;
  if (!a.key_pem.empty()) j["key"] = a.key_pem;
}
void TlsHandshake::from_json(const json& j, TlsHandshake& a) {
  a.verify = !j.contains("verify") || json_field<bool>(j, "verify");
  if (j.contains("sni")) a.sni = json_field<std::string>(j, "sni");
  if (j.contains("ca")) a.ca_pem = json_field<std::string>(j, "ca");
  if (j.contains("cert")) a.cert_pem = json_field<std::string>(j, "cert");
  if (j.contains("key")) a.key_pem = json_field<std::string>(j, "key");
  if (a.cert_pem.empty() != a.key_pem.empty()) throw std::invalid_argument("'tls_handshake': cert and key go together");
}

void TlsSetup::to_json(json& j, const TlsSetup& a) {
  if (!a.ca_pem.empty()) j["ca"] = a.ca_pem;
  if (!a.cert_pem.empty()) j["cert"] = a.cert_pem;
  if (!a.key_pem.empty()) j["key"] = a.key_pem;
}
void TlsSetup::from_json(const json& j, TlsSetup& a) {
  if (j.contains("ca")) a.ca_pem = json_field<std::string>(j, "ca");
  if (j.contains("cert")) a.cert_pem = json_field<std::string>(j, "cert");
  if (j.contains("key")) a.key_pem = json_field<std::string>(j, "key");
}

}  // namespace closepath::protocol
