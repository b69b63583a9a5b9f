// libFuzzer target: any bytes as a capture, through what `closepath show` and
// `closepath check` do (pcapng or pcap reader, run-facts comment, flow,
// inference, judge, ladder). The contract: a capture, however broken, ends
// in a verdict or a std::runtime_error naming the file; anything else (a
// sanitizer report, another exception, a crash, a hang) is a finding.
#include "offline.hpp"
#include "scenario_parser.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace {

const closepath::Scenario& scenario() {
  static const auto s = closepath::parse_scenario_text(R"(name: fuzz
steps:
  - client: connect
  - client: close
expect:
  wire:
    - c>s S
    - s>c S. ?
    - ...
    - c>s +F at 0s..3600s after step 2
    - ...
  forbid: [s>c R]
  states:
    client: [SYN_SENT, ..., CLOSE?]
  leftovers:
    server: [CLOSE_WAIT]
)", "fuzz.yaml");
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The readers take a path: an in-memory file gives them one.
  const int fd = memfd_create("capture", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  if (size && write(fd, data, size) != static_cast<ssize_t>(size)) std::abort();
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  closepath::OfflineOptions options;
  options.ladder = true;
  for (int command = 0; command < 4; ++command) {
    std::ostringstream out, notes;
    options.json = command >= 2;  // the text and the JSON forms of each
    try {
      if (command % 2 == 0) closepath::show_capture(path, options, out, notes);
      else closepath::check_capture(path, scenario(), options, out, notes);
    } catch (const std::runtime_error&) {
      // the one-line refusal the CLI prints
    }
  }
  close(fd);
  return 0;
}
