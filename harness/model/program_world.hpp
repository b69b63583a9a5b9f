// A side's programs' world, as `programs: {SIDE: {...}}` sets it: what each
// program of that side starts with besides its argv. Values may hold
// placeholders (filled in when the program starts); files to render are
// read when the scenario is.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace closepath {

// A file copied into the run's directory ({out}/NAME) with its placeholders filled in.
struct RenderedFile {
  int line = 0;        // of its entry in the scenario
  std::string source;  // as written ({dir}/nginx.conf)
  std::string name;    // its name in {out}
  std::string text;    // its contents, read with the scenario
};

struct ProgramWorld {
  int line = 0;
  // Added to the inherited environment (replacing a variable of that name), in order.
  std::vector<std::pair<std::string, std::string>> env;
  std::optional<std::string> cwd;         // default: closepath's own working directory
  std::optional<std::string> stdin_file;  // default: /dev/null
  std::vector<RenderedFile> render;       // written before the run's first step
};

// The run's TLS credentials as files in its directory: {ca}, {cert}, {key}.
inline constexpr const char* kCaFile = "ca.pem";
inline constexpr const char* kCertFile = "cert.pem";
inline constexpr const char* kKeyFile = "key.pem";

// The files closepath itself writes into a run's directory: a rendered file may not take their names.
inline const std::vector<std::string>& run_directory_names() {
  static const std::vector<std::string> names{"report.json", "capture.pcapng", "ladder.txt", kCaFile, kCertFile, kKeyFile};
  return names;
}

}  // namespace closepath
