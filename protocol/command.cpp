#include "command.hpp"

#include "action_grammar.hpp"

#include <stdexcept>

namespace closepath::protocol {
namespace {

using nlohmann::json;


// The alternative whose op is `op`, found by walking the variant's types; its fields as it reads them.
template <std::size_t I = 0>
Action action_named(const std::string& op, const json& j) {
  if constexpr (I == std::variant_size_v<Action>) {
    throw std::invalid_argument("unknown op '" + op + "'");
  } else {
    using T = std::variant_alternative_t<I, Action>;
    if (op != T::op) return action_named<I + 1>(op, j);
    T a;
    if constexpr (requires { T::from_json(j, a); }) T::from_json(j, a);
    return a;
  }
}

}  // namespace

const char* op_name(const Action& a) {
  return std::visit([](const auto& x) { return std::decay_t<decltype(x)>::op; }, a);
}

json to_json(const Command& c) {
  json j{{"id", c.id}, {"op", op_name(c.action)}, {"within_ms", c.within.count()}};
  std::visit(
      [&](const auto& a) {
        using T = std::decay_t<decltype(a)>;
        if constexpr (requires { T::to_json(j, a); }) T::to_json(j, a);
      },
      c.action);
  return j;
}

Command parse_command(const json& j) {
  if (!j.is_object()) throw std::invalid_argument("a command must be a JSON object");
  Command c;
  c.id = json_field<int>(j, "id");
  if (j.contains("within_ms")) c.within = std::chrono::milliseconds(json_field<std::int64_t>(j, "within_ms"));
  c.action = action_named(json_field<std::string>(j, "op"), j);
  return c;
}

}  // namespace closepath::protocol
