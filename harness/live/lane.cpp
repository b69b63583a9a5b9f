#include "lane.hpp"

#include "session.hpp"
#include "interrupt.hpp"
#include "report.hpp"
#include "scenario_parser.hpp"

#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <deque>
#include <optional>
#include <string>

namespace closepath {
namespace {

struct Assignment {
  std::string file, run_dir;
  std::uint64_t seed = 0;
  bool more = false;
};

// Reads NUL-terminated fields from the parent, waiting interruptibly.
class AssignmentReader {
 public:
  explicit AssignmentReader(int fd) : fd_(fd) {}

  // The next assignment, or nullopt at end of file.
  std::optional<Assignment> next() {
    std::array<std::string, 4> fields;
    for (auto& field : fields) {
      auto f = field_();
      if (!f) return std::nullopt;
      field = std::move(*f);
    }
    return Assignment{fields[0], fields[1], std::stoull(fields[2]), fields[3] == "more"};
  }

 private:
  std::optional<std::string> field_() {
    for (;;) {
      if (const auto end = buffer_.find('\0'); end != std::string::npos) {
        std::string field = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        return field;
      }
      check_interrupted();
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;  // an interrupt is seen at the next turn
      char chunk[4096];
      const ssize_t n = read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  int fd_;
  std::string buffer_;
};

}  // namespace

void run_lane(Session& session, int assignments_fd, int done_fd, const RunOptions& options, std::ostream& human) {
  AssignmentReader reader(assignments_fd);
  std::deque<Scenario> scenarios;  // kept for the lane's life: a run's teardown goes on after it reports
  while (const auto job = reader.next()) {
    const Scenario& scenario = scenarios.emplace_back(parse_scenario_file(job->file));
    auto run_options = options;
    run_options.seed = job->seed;
    run_and_report(session, scenario, run_options, job->run_dir, job->more, human, false);
    human.flush();
    (void)!write(done_fd, "1", 1);  // the slot is free: the parent sends the next while this one tears down
  }
}

}  // namespace closepath
