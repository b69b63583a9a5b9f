#include "placeholders.hpp"

#include "program_world.hpp"

#include <array>
#include <regex>
#include <stdexcept>

namespace closepath {
namespace {

// As a URL or host:port wants it: "[fd00::2]" in IPv6.
std::string bracketed(const std::string& address, Family f) { return f == Family::ipv6 ? "[" + address + "]" : address; }
std::string any_address(Family f) { return f == Family::ipv4 ? "0.0.0.0" : "::"; }

const std::array<Placeholder, 13> kPlaceholders{{
    {"{server}", "the server's address, as a socket API takes it (10.0.0.2, fd00::2)", "exec python3 -m http.server {port} --bind {server}",
     [](const PlaceholderValues& v) { return kServerHost.address_in(v.family); }},
    {"{client}", "the client's address (10.0.0.1, fd00::1)", "exec nc -s {client} {server} {port}",
     [](const PlaceholderValues& v) { return kClientHost.address_in(v.family); }},
    {"{server_host}", "the server's address as a URL or host:port wants it (10.0.0.2, [fd00::2])", "exec curl -sS http://{server_host}:{port}/",
     [](const PlaceholderValues& v) { return bracketed(kServerHost.address_in(v.family), v.family); }},
    {"{client_host}", "the client's address as a URL or host:port wants it (10.0.0.1, [fd00::1])", "exec socat - TCP:{server_host}:{port},bind={client_host}",
     [](const PlaceholderValues& v) { return bracketed(kClientHost.address_in(v.family), v.family); }},
    {"{any}", "the run's family's wildcard address, to listen on every address (0.0.0.0, ::)", "exec python3 -m http.server {port} --bind {any}",
     [](const PlaceholderValues& v) { return any_address(v.family); }},
    {"{any_host}", "the wildcard as host:port wants it (0.0.0.0, [::])", "exec socat TCP-LISTEN:{port},bind={any_host} -",
     [](const PlaceholderValues& v) { return bracketed(any_address(v.family), v.family); }},
    {"{family}", "the run's address family: 4 or 6", "exec socat TCP{family}-LISTEN:{port} -",
     [](const PlaceholderValues& v) { return std::string(v.family == Family::ipv4 ? "4" : "6"); }},
    {"{port}", "the server's port", "exec nc -l {port}",
     [](const PlaceholderValues& v) { return std::to_string(v.server_port); }},
    {"{dir}", "the scenario file's folder", "exec python3 {dir}/server.py",
     [](const PlaceholderValues& v) { return v.scenario_dir; }},
    {"{out}", "the run's own directory (report, capture), for files a program writes",
     "exec go build -o {out}/server {dir}/server.go", [](const PlaceholderValues& v) { return v.out_dir; }},
    {"{ca}", "the run's CA certificate ({out}/ca.pem): it signed {cert}", "exec openssl s_client -CAfile {ca} -connect {server_host}:{port}",
     [](const PlaceholderValues& v) { return v.out_dir + "/" + kCaFile; }, true},
    {"{cert}", "the run's server certificate ({out}/cert.pem), for the server's address", "exec openssl s_server -cert {cert} -key {key} -accept {port}",
     [](const PlaceholderValues& v) { return v.out_dir + "/" + kCertFile; }, true},
    {"{key}", "its private key ({out}/key.pem; made for this run only)", "exec openssl s_server -cert {cert} -key {key} -accept {port}",
     [](const PlaceholderValues& v) { return v.out_dir + "/" + kKeyFile; }, true},
}};

const std::regex& placeholder_form() {
  static const std::regex form(R"(\{[a-z_]+\})");
  return form;
}

}  // namespace

std::span<const Placeholder> placeholders() { return kPlaceholders; }

const Placeholder* find_placeholder(std::string_view name) {
  for (const auto& p : kPlaceholders)
    if (name == p.name) return &p;
  return nullptr;
}

std::string placeholder_names() {
  std::string names;
  for (const auto& p : kPlaceholders) names += (names.empty() ? "" : " ") + std::string(p.name);
  return names;
}

void check_placeholders(const std::string& text) {
  for (std::sregex_iterator m(text.begin(), text.end(), placeholder_form()), end; m != end; ++m)
    if (!find_placeholder(m->str()))
      throw std::invalid_argument("unknown placeholder " + m->str() + " (known: " + placeholder_names() + ")");
}

bool names_credentials(const std::string& text) {
  for (std::sregex_iterator m(text.begin(), text.end(), placeholder_form()), end; m != end; ++m)
    if (const auto* p = find_placeholder(m->str()); p && p->credentials) return true;
  return false;
}

std::string substitute(const std::string& word, const PlaceholderValues& v) {
  std::string out;
  for (std::size_t at = 0; at < word.size();) {
    const auto brace = word.find('{', at);
    out += word.substr(at, brace == std::string::npos ? std::string::npos : brace - at);
    if (brace == std::string::npos) break;
    const auto close = word.find('}', brace);
    const auto* p = close == std::string::npos ? nullptr : find_placeholder(std::string_view(word).substr(brace, close - brace + 1));
    if (!p) {
      out += '{';
      at = brace + 1;
      continue;
    }
    out += p->value(v);
    at = close + 1;
  }
  return out;
}

}  // namespace closepath
