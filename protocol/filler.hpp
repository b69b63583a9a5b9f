// The bytes of `send N` and of a segment the wire injects with `len N`:
// abc...z over and over, from a, so a capture shows recognisable bytes.
#pragma once

#include <cstddef>
#include <vector>

namespace closepath::protocol {

template <typename Byte>
std::vector<Byte> filler(std::size_t n) {
  std::vector<Byte> data(n);
  for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<Byte>('a' + i % 26);
  return data;
}

}  // namespace closepath::protocol
