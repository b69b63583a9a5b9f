// A strict YAML reader for scenario files, on libyaml's event parser.
// Stricter than YAML allows on purpose, because a scenario that silently
// means something else is worse than one that is refused:
// - exactly one document (a second one is an error, not ignored);
// - a mapping key appears once (no "last one wins");
// - aliases are shared, never copied, and the nodes they stand for count
//   against a budget (no "billion laughs");
// - nesting depth and input size are bounded;
// - the input is UTF-8 (libyaml's reader checks it).
// Errors carry the 1-based line they concern.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace closepath::yaml {

struct Error : std::runtime_error {
  Error(int line_, const std::string& problem) : std::runtime_error(problem), line(line_) {}
  int line;
};

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Node {
  enum class Kind { scalar, sequence, mapping };
  Kind kind = Kind::scalar;
  int line = 0;           // 1-based line where the node starts
  std::string value;      // scalars
  bool plain = false;     // an unquoted scalar ("null", "~" and "" then mean null)
  std::vector<NodePtr> items;                    // sequences
  std::vector<std::pair<NodePtr, NodePtr>> pairs;  // mappings, in file order; keys are scalars

  bool is_scalar() const { return kind == Kind::scalar; }
  bool is_sequence() const { return kind == Kind::sequence; }
  bool is_mapping() const { return kind == Kind::mapping; }
  bool is_null() const;
  // The value under scalar key `key` of a mapping, or nullptr.
  const Node* find(std::string_view key) const;
};

struct Limits {
  std::size_t max_bytes = 1 << 20;    // 1 MiB: a scenario is a page, not a data set
  std::size_t max_nodes = 100'000;    // counting every node an alias stands for
  std::size_t max_depth = 32;
};

// A scalar that is one line of printable text, at most 1000 characters (it
// reaches reports, captures and terminals); throws Error naming `what`.
std::string line_text(const Node& n, const std::string& what);

// Parses one document; an empty input gives a null scalar. Throws Error.
NodePtr parse(std::string_view text, const Limits& limits = {});

}  // namespace closepath::yaml
