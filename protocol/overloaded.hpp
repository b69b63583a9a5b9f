// The visitor of every std::visit over a closed set of alternatives: a
// lambda per alternative and no catch-all, so a new alternative is a
// compile error wherever it is not handled.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>
#include <variant>

namespace closepath {

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;  // clang 14 does not deduce aggregate bases by itself

// Calls f(std::type_identity<T>{}, index) for each alternative T of the
// variant V, in order: how a registry walks its entries' static fields. A
// plain function template, not a templated lambda with lambdas folded in
// it, which crashes clang 14.
template <typename V, typename F, std::size_t... I>
void for_each_alternative_in(F&& f, std::index_sequence<I...>) {
  (f(std::type_identity<std::variant_alternative_t<I, V>>{}, I), ...);
}
template <typename V, typename F>
void for_each_alternative(F&& f) {
  for_each_alternative_in<V>(f, std::make_index_sequence<std::variant_size_v<V>>{});
}

}  // namespace closepath
