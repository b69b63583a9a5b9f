#pragma once

#include <cstdint>
#include <string>

namespace closepath {

// The words a frame's capture comment uses for what the wire did to it. They
// are also how `closepath check` reads a saved capture back, so the writers
// (wire, fault program) and the reader (offline.cpp) share them from here.
namespace note {
inline constexpr const char* kDropped = "dropped by fault";
inline constexpr const char* kInjected = "injected";  // "injected RST toward ...", "injected: a copy of ..."
inline constexpr const char* kInjectFailed = "inject failed";
inline constexpr const char* kStillHeld = "still held when the capture stopped";
inline constexpr const char* kStillDelayed = "still delayed when the capture stopped";
inline constexpr const char* kLost = "lost by impair";            // "lost by impair 'step 3 ...' (seed 7, frame 2, draw ...)"
inline constexpr const char* kCorrupted = "corrupted by impair";  // went on, and the receiver's checksum drops it
// What a user's program printed follows the wire's words ("; the client
// program printed (stdout) '...'"); it is never read for them.
inline constexpr const char* kProgramPrinted = " program printed (";
inline std::string wire_part(const std::string& comment) {
  const auto at = comment.find(kProgramPrinted);
  return at == std::string::npos ? comment : comment.substr(0, comment.rfind("; ", at));
}
// Whether a frame with this comment reached its receiver / was made by the wire.
inline bool delivered(const std::string& comment) {
  const auto wire = wire_part(comment);
  for (const char* never : {kDropped, kInjectFailed, kStillHeld, kStillDelayed, kLost, kCorrupted})
    if (wire.find(never) != std::string::npos) return false;
  return true;
}
inline bool injected(const std::string& comment) { return wire_part(comment).find(kInjected) != std::string::npos; }
// A time in a comment: "53.2 ms" (to the tenth, cut, never rounded up).
inline std::string ms_text(std::int64_t ns) {
  return std::to_string(ns / 1'000'000) + "." + std::to_string(ns / 100'000 % 10) + " ms";
}
}  // namespace note

}  // namespace closepath
