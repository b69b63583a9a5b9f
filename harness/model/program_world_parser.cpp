#include "program_world_parser.hpp"

#include "placeholders.hpp"
#include "scenario_parser.hpp"

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace closepath {
namespace {

using yaml::Node;
constexpr std::uintmax_t kMaxRendered = 1 << 20;

class WorldParser {
 public:
  explicit WorldParser(const std::filesystem::path& file)
      : file_(file), dir_(std::filesystem::absolute(file).parent_path().string()) {}

  std::map<Side, ProgramWorld> parse(const Node& n) {
    if (!n.is_mapping()) fail(n, "programs maps client and/or server to their env, cwd, stdin and render");
    std::map<Side, ProgramWorld> worlds;
    for (const auto& [k, v] : n.pairs) {
      const auto name = scalar(*k, "side");
      const auto side = side_named(name);
      if (!side) fail(*k, "unknown peer '" + name + "' (expected client or server)");
      worlds[*side] = world(*v, "programs." + name);
    }
    return worlds;
  }

 private:
  ProgramWorld world(const Node& n, const std::string& where) {
    if (!n.is_mapping()) fail(n, where + " is a mapping of env, cwd, stdin and render");
    ProgramWorld w{.line = n.line, .env = {}, .cwd = {}, .stdin_file = {}, .render = {}};
    for (const auto& [k, v] : n.pairs) {
      const auto key = scalar(*k, "key");
      if (key == "env") w.env = environment(*v, where + ".env");
      else if (key == "cwd") w.cwd = path(*v, where + ".cwd", true);
      else if (key == "stdin") w.stdin_file = path(*v, where + ".stdin", false);
      else if (key == "render") w.render = rendered(*v, where + ".render");
      else fail(*k, "unknown key '" + key + "' in " + where + " (known: env cwd stdin render)");
    }
    return w;
  }

  std::vector<std::pair<std::string, std::string>> environment(const Node& n, const std::string& where) const {
    if (!n.is_mapping()) fail(n, where + " maps variable names to values");
    static const std::regex name_form("[A-Za-z_][A-Za-z0-9_]*");
    std::vector<std::pair<std::string, std::string>> env;
    for (const auto& [k, v] : n.pairs) {
      const auto name = scalar(*k, "variable name");
      if (!std::regex_match(name, name_form)) fail(*k, "'" + name + "' is not an environment variable name");
      if (std::any_of(env.begin(), env.end(), [&](const auto& e) { return e.first == name; }))
        fail(*k, "variable " + name + " is set twice");
      env.emplace_back(name, text(*v, where + "." + name));
    }
    return env;
  }

  // A path the program gets, placeholders and all: filled in when it starts.
  // One that names only {dir} or nothing must be there now; {out} is made by the run.
  std::string path(const Node& n, const std::string& what, bool directory) const {
    auto value = text(n, what);
    if (value.empty()) fail(n, what + " is empty");
    const auto now = value.starts_with("{dir}") ? dir_ + value.substr(5) : value;
    std::error_code ec;
    const bool there = directory ? std::filesystem::is_directory(now, ec) : std::filesystem::is_regular_file(now, ec) ||
                                                                                 std::filesystem::is_character_file(now, ec);
    if (now.find('{') == std::string::npos && !there)
      fail(n, what + " '" + now + "' is not " + (directory ? "a directory" : "a file") + " on this machine");
    return value;
  }

  std::vector<RenderedFile> rendered(const Node& n, const std::string& where) {
    if (!n.is_sequence()) fail(n, where + " is a list of files ({dir}/nginx.conf)");
    std::vector<RenderedFile> files;
    for (const auto& item : n.items) files.push_back(render_entry(*item));
    return files;
  }

  // Read now, placeholders checked line by line: a config file's mistake is found before anything runs.
  RenderedFile render_entry(const Node& n) {
    const auto source = text(n, "render entry");
    if (source.find('{') != std::string::npos && !source.starts_with("{dir}/"))
      fail(n, "a file to render is a path, or {dir}/PATH (beside the scenario): '" + source + "'");
    const std::string path = source.starts_with("{dir}/") ? dir_ + source.substr(5) : source;
    const auto name = std::filesystem::path(path).filename().string();
    const auto& reserved = run_directory_names();
    if (std::find(reserved.begin(), reserved.end(), name) != reserved.end())
      fail(n, "a rendered file cannot be called " + name + ": closepath writes that file into {out}");
    if (!names_.insert(name).second) fail(n, "two rendered files are called " + name + " ({out} holds one)");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) fail(n, "cannot read the file to render '" + path + "': not a regular file");
    if (std::filesystem::file_size(path, ec) > kMaxRendered) fail(n, "the file to render '" + path + "' is larger than 1 MiB");
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(n, "cannot read the file to render '" + path + "'");
    std::ostringstream contents;
    contents << in.rdbuf();
    RenderedFile f{.line = n.line, .source = source, .name = name, .text = contents.str()};
    check_file_placeholders(n, path, f.text);
    return f;
  }

  void check_file_placeholders(const Node& n, const std::string& path, const std::string& contents) const {
    std::istringstream lines(contents);
    int number = 0;
    for (std::string line; std::getline(lines, line);) {
      ++number;
      try {
        check_placeholders(line);
      } catch (const std::invalid_argument& e) {
        fail(n, path + ":" + std::to_string(number) + ": " + e.what());
      }
    }
  }

  std::string text(const Node& n, const std::string& what) const {
    auto value = scalar(n, what);
    if (std::any_of(value.begin(), value.end(), [](char c) { return c == '\0' || c == '\n'; }))
      fail(n, what + " must be one line");
    try {
      check_placeholders(value);
    } catch (const std::invalid_argument& e) {
      fail(n, what + ": " + e.what());
    }
    return value;
  }

  std::string scalar(const Node& n, const std::string& what) const {
    if (!n.is_scalar()) fail(n, what + " must be a single value");
    return n.value;
  }

  [[noreturn]] void fail(const Node& at, const std::string& problem) const { throw ScenarioError(file_, at.line, problem); }

  std::filesystem::path file_;
  std::string dir_;
  std::set<std::string> names_;  // of the rendered files, over both sides
};

}  // namespace

std::map<Side, ProgramWorld> parse_program_worlds(const Node& n, const std::filesystem::path& file) {
  return WorldParser(file).parse(n);
}

bool names_credentials(const Scenario& s) {
  bool named = false;
  auto look = [&](const std::string& text) { named = named || names_credentials(text); };
  for (const auto& step : s.steps)
    if (const auto* ps = std::get_if<ProgramStep>(&step.what))
      if (const auto* e = std::get_if<Exec>(&ps->action)) std::for_each(e->argv.begin(), e->argv.end(), look);
  for (const auto& [side, world] : s.program_worlds) {
    for (const auto& [name, value] : world.env) look(value);
    for (const auto& f : world.render) look(f.text);
    look(world.cwd.value_or(""));
    look(world.stdin_file.value_or(""));
  }
  return named;
}

}  // namespace closepath
