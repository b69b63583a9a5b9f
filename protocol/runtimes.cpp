#include "runtimes.hpp"

#include <algorithm>

namespace closepath::protocol {

const Runtime* find_runtime(const std::string& name) {
  for (const auto& r : kRuntimes)
    if (name == r.name) return &r;
  return nullptr;
}

std::string runtime_names() {
  std::string names;
  for (const auto& r : kRuntimes) names += (names.empty() ? "" : ", ") + std::string(r.name);
  return names;
}

std::string end_of(const std::string& runtime, const RuntimeSaid& said, std::optional<int> errno_value) {
  // The kernel's own word, whatever class a runtime gives it (Python: ETIMEDOUT is a TimeoutError).
  if (errno_value) return errno_name(*errno_value);
  for (const auto& w : kRuntimeWords)
    if (runtime == w.runtime && std::find(said.is.begin(), said.is.end(), w.word) != said.is.end()) return w.end;
  return runtime + ":" + (said.is.empty() ? said.text : said.is.front());
}

}  // namespace closepath::protocol
