// Reads a scenario file: a regular file of at most yaml::Limits::max_bytes, never a FIFO or a device.
#include "scenario_parser.hpp"
#include "unique_fd.hpp"
#include "yaml_document.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace closepath {

Scenario parse_scenario_file(const std::filesystem::path& file) {
  // O_NONBLOCK: a FIFO must not hang the harness; only regular files are read.
  const UniqueFd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd) throw ScenarioError(file, 0, std::string("cannot open the file: ") + std::strerror(errno));
  struct stat st {};
  const bool regular = fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode);
  const yaml::Limits limits;
  std::string text;
  if (regular && static_cast<std::size_t>(st.st_size) <= limits.max_bytes) {
    text.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < text.size()) {
      const ssize_t n = read(fd.get(), text.data() + got, text.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    text.resize(got);
  }
  if (!regular) throw ScenarioError(file, 0, "not a regular file");
  if (static_cast<std::size_t>(st.st_size) > limits.max_bytes)
    throw ScenarioError(file, 0, "the file is larger than " + std::to_string(limits.max_bytes / 1024) + " KiB: not a scenario");
  return parse_scenario_text(text, file);
}

}  // namespace closepath
