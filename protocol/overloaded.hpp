// The visitor of every std::visit over a closed set of alternatives: a
// lambda per alternative and no catch-all, so a new alternative is a
// compile error wherever it is not handled.
#pragma once

namespace closepath {

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;  // clang 14 does not deduce aggregate bases by itself

}  // namespace closepath
