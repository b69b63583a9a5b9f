#pragma once

#include <string>

namespace closepath {

// The words a frame's capture comment uses for what the wire did to it. They
// are also how `closepath check` reads a saved capture back, so the writers
// (wire, fault program) and the reader (offline.cpp) share them from here.
namespace note {
inline constexpr const char* kDropped = "dropped by fault";
inline constexpr const char* kInjected = "injected RST";
inline constexpr const char* kInjectFailed = "inject failed";
inline constexpr const char* kStillHeld = "still held when the capture stopped";
inline constexpr const char* kStillDelayed = "still delayed when the capture stopped";
// Whether a frame with this comment reached its receiver / was made by the wire.
inline bool delivered(const std::string& comment) {
  for (const char* never : {kDropped, kInjectFailed, kStillHeld, kStillDelayed})
    if (comment.find(never) != std::string::npos) return false;
  return true;
}
inline bool injected(const std::string& comment) { return comment.find(kInjected) != std::string::npos; }
}  // namespace note

}  // namespace closepath
