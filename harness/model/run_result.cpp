#include "run_result.hpp"

#include "runtimes.hpp"

namespace closepath {

std::string RunResult::runtime(Side side) const {
  const auto it = runtimes.find(side);
  return it == runtimes.end() ? std::string(protocol::kDefaultRuntime) : it->second;
}

std::string to_string(Verdict v) {
  switch (v) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::error: return "error";
    case Verdict::skipped: return "skipped";
  }
  return "?";
}

}  // namespace closepath
