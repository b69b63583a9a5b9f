#include "catalogue.hpp"

#include "errors.hpp"
#include "runtimes.hpp"
#include "scenario_parser.hpp"

#include <unistd.h>

#include <algorithm>

namespace closepath {

namespace fs = std::filesystem;

// Resolved once, on first use: main() asks before any host setup, because
// after an unshare(CLONE_NEWNS) inside a chroot (sbuild, pbuilder) the link
// names the binary from outside the chroot, where nothing is found.
fs::path self_dir() {
  static const fs::path dir = [] {
    std::error_code ec;
    auto exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::current_path() : exe.parent_path();
  }();
  return dir;
}

std::optional<fs::path> find_scenario_dir(const std::optional<fs::path>& explicit_dir, const fs::path& bin_dir,
                                          std::string* looked) {
  if (explicit_dir) return explicit_dir;
  std::vector<fs::path> tried;
  // The checkout: a few levels up at most (build/, build/sub/), never past the root.
  fs::path at = bin_dir;
  for (int level = 0; level < 4 && !at.empty(); ++level) {
    std::error_code ec;
    if (fs::is_regular_file(at / "CMakeLists.txt", ec) && fs::is_directory(at / "scenarios", ec)) return at / "scenarios";
    tried.push_back(at / "scenarios");
    if (at == at.parent_path()) break;
    at = at.parent_path();
  }
  // An out-of-tree build (cmake -B ../elsewhere) run from the checkout: its scenarios/ here.
  std::error_code cwd_error;
  const auto here = fs::current_path(cwd_error) / "scenarios";
  if (!cwd_error) {
    if (fs::is_regular_file(here.parent_path() / "CMakeLists.txt", cwd_error) && fs::is_directory(here, cwd_error)) return here;
    tried.push_back(here);
  }
  const auto installed = (bin_dir / ".." / "share" / "closepath" / "scenarios").lexically_normal();
  std::error_code ec;
  if (fs::is_directory(installed, ec)) return installed;
  tried.push_back(installed);
  if (looked) {
    looked->clear();
    for (const auto& t : tried) *looked += (looked->empty() ? "" : ", ") + t.string();
  }
  return std::nullopt;
}

fs::path find_peer_program(const fs::path& bin_dir, const std::string& runtime) {
  const auto* r = protocol::find_runtime(runtime);
  if (!r) throw HostError("no peer runtime '" + runtime + "' (known: " + protocol::runtime_names() + ")");
  const fs::path candidates[] = {bin_dir / r->program, (bin_dir / ".." / "libexec" / "closepath" / r->program).lexically_normal()};
  for (const auto& p : candidates)
    if (access(p.c_str(), X_OK) == 0) return p;
  const std::string needs = runtime == "go" ? " (it needs Go: tools/bootstrap.sh installs golang-go)" : "";
  throw HostError(std::string(r->program) + " not found (looked for " + candidates[0].string() + " and " +
                  candidates[1].string() + "): build it (cmake --build)" + needs + " or reinstall closepath");
}

std::string peer_runtime(const std::map<Side, std::string>& pinned, const std::map<Side, std::string>& chosen, Side side) {
  if (const auto it = pinned.find(side); it != pinned.end()) return it->second;
  if (const auto it = chosen.find(side); it != chosen.end()) return it->second;
  return protocol::kDefaultRuntime;
}

std::vector<fs::path> catalogue_files(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path());
  if (ec) throw ScenarioError(dir, 0, "cannot list scenarios: " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

bool names_a_file(const std::string& target) {
  return target.find('/') != std::string::npos || fs::path(target).extension() == ".yaml";
}

fs::path resolve_scenario(const std::string& name_or_file, const fs::path& dir) {
  const bool is_path = names_a_file(name_or_file);
  const fs::path p = is_path ? fs::path(name_or_file) : dir / (name_or_file + ".yaml");
  std::error_code ec;
  if (!fs::exists(p, ec))
    throw ScenarioError(p, 0, is_path ? "no such file" : "no scenario named '" + name_or_file + "' in " + dir.string() +
                                                               " (see `closepath list`)");
  return p;
}

std::string display_path(const fs::path& p) {
  std::error_code ec;
  const auto cwd = fs::current_path(ec);
  const auto absolute = fs::absolute(p, ec).lexically_normal();
  if (!ec) {
    const auto rel = absolute.lexically_relative(cwd);
    if (!rel.empty() && *rel.begin() != "..") return rel.string();
  }
  return p.string();
}

}  // namespace closepath
