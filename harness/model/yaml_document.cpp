#include "yaml_document.hpp"

#include <yaml.h>

#include <algorithm>
#include <map>

namespace closepath::yaml {
namespace {

int line_of(const yaml_mark_t& mark) { return static_cast<int>(mark.line) + 1; }

// The line of a byte offset, for reader errors (bad UTF-8) that carry no mark.
int line_at(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

class Builder {
 public:
  Builder(std::string_view text, const Limits& limits) : text_(text), limits_(limits) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  }
  ~Builder() { yaml_parser_delete(&parser_); }
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;

  NodePtr document() {
    Event e = next();
    if (e.type() != YAML_STREAM_START_EVENT) fail(e, "not a YAML stream");
    e = next();
    if (e.type() == YAML_STREAM_END_EVENT) return empty();
    if (e.type() != YAML_DOCUMENT_START_EVENT) fail(e, "expected a YAML document");
    NodePtr root = node(next(), 0);
    Event end = next();
    if (end.type() != YAML_DOCUMENT_END_EVENT) fail(end, "expected the end of the document");
    Event after = next();
    if (after.type() != YAML_STREAM_END_EVENT)
      fail(after, "a second YAML document ('---'): a scenario file holds exactly one");
    return root;
  }

 private:
  // One libyaml event, freed when it goes out of scope.
  class Event {
   public:
    Event() = default;
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;
    Event(Event&& other) noexcept : e_(other.e_), live_(std::exchange(other.live_, false)) {}
    Event& operator=(Event&& other) noexcept {
      if (this != &other) {
        if (live_) yaml_event_delete(&e_);
        e_ = other.e_;
        live_ = std::exchange(other.live_, false);
      }
      return *this;
    }
    ~Event() {
      if (live_) yaml_event_delete(&e_);
    }
    yaml_event_t* raw() { return &e_; }
    void adopt() { live_ = true; }
    yaml_event_type_t type() const { return e_.type; }
    const yaml_event_t& get() const { return e_; }
    int line() const { return line_of(e_.start_mark); }

   private:
    yaml_event_t e_{};
    bool live_ = false;
  };

  [[noreturn]] void fail(const Event& e, const std::string& problem) const { throw Error(e.line(), problem); }

  Event next() {
    Event e;
    if (!yaml_parser_parse(&parser_, e.raw())) {
      const bool reader = parser_.error == YAML_READER_ERROR;
      const int line = reader ? line_at(text_, parser_.problem_offset) : line_of(parser_.problem_mark);
      std::string problem = parser_.problem ? parser_.problem : "unreadable YAML";
      if (reader) problem += " (the file must be UTF-8 text)";
      else if (parser_.context) problem = std::string(parser_.context) + ": " + problem;
      if (problem == "mapping values are not allowed in this context")
        problem += " (a value holding ': ', such as an HTTP header in a step's \"TEXT\", must be in single quotes: "
                   "- client: 'send \"Host: x\\r\\n\"')";
      throw Error(line, "bad YAML: " + problem);
    }
    e.adopt();
    return e;
  }

  static NodePtr empty() {
    auto n = std::make_shared<Node>();
    n->plain = true;
    return n;
  }

  void count(std::size_t nodes, int line) {
    nodes_ += nodes;
    if (nodes_ > limits_.max_nodes)
      throw Error(line, "the document has more than " + std::to_string(limits_.max_nodes) +
                            " nodes (counting what its aliases stand for)");
  }

  void remember(const yaml_char_t* anchor, const NodePtr& n, std::size_t size) {
    if (anchor) anchors_[reinterpret_cast<const char*>(anchor)] = {n, size};
  }

  // A scalar, sequence or mapping: one more node, at the event's line.
  std::shared_ptr<Node> fresh(const Event& e, Node::Kind kind) {
    count(1, e.line());
    auto n = std::make_shared<Node>();
    n->kind = kind;
    n->line = e.line();
    return n;
  }

  // Builds the node that starts with event `e`; returns it with its size
  // (the nodes it stands for, aliases expanded) in `size`.
  NodePtr node(Event e, std::size_t depth, std::size_t* size = nullptr) {
    if (depth > limits_.max_depth)
      fail(e, "nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    std::size_t own = 1;
    NodePtr result;
    switch (e.type()) {
      case YAML_ALIAS_EVENT: {
        const auto& alias = e.get().data.alias;
        const auto it = anchors_.find(reinterpret_cast<const char*>(alias.anchor));
        if (it == anchors_.end()) fail(e, "alias '*" + std::string(reinterpret_cast<const char*>(alias.anchor)) + "' names no anchor");
        count(it->second.second, e.line());
        if (size) *size = it->second.second;
        return it->second.first;
      }
      case YAML_SCALAR_EVENT: {
        auto n = fresh(e, Node::Kind::scalar);
        const auto& s = e.get().data.scalar;
        n->value.assign(reinterpret_cast<const char*>(s.value), s.length);
        n->plain = s.style == YAML_PLAIN_SCALAR_STYLE;
        remember(s.anchor, n, 1);
        result = n;
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
        result = sequence(e, depth, own);
        break;
      case YAML_MAPPING_START_EVENT:
        result = mapping(e, depth, own);
        break;
      default:
        fail(e, "unexpected YAML event");
    }
    if (size) *size = own;
    return result;
  }

  NodePtr sequence(const Event& e, std::size_t depth, std::size_t& own) {
    auto n = fresh(e, Node::Kind::sequence);
    for (Event item = next(); item.type() != YAML_SEQUENCE_END_EVENT; item = next()) {
      std::size_t s = 0;
      n->items.push_back(node(std::move(item), depth + 1, &s));
      own += s;
    }
    remember(e.get().data.sequence_start.anchor, n, own);
    return n;
  }

  NodePtr mapping(const Event& e, std::size_t depth, std::size_t& own) {
    auto n = fresh(e, Node::Kind::mapping);
    for (Event key = next(); key.type() != YAML_MAPPING_END_EVENT; key = next()) {
      const int key_line = key.line();
      std::size_t ks = 0, vs = 0;
      auto k = node(std::move(key), depth + 1, &ks);
      if (!k->is_scalar()) throw Error(key_line, "a mapping key must be a single value");
      if (n->find(k->value))
        throw Error(key_line, "duplicate key '" + k->value + "' (first on line " + std::to_string(first_line(*n, k->value)) + ")");
      auto v = node(next(), depth + 1, &vs);
      own += ks + vs;
      n->pairs.emplace_back(std::move(k), std::move(v));
    }
    remember(e.get().data.mapping_start.anchor, n, own);
    return n;
  }

  static int first_line(const Node& map, const std::string& key) {
    for (const auto& [k, v] : map.pairs)
      if (k->value == key) return k->line;
    return 0;
  }

  std::string_view text_;
  Limits limits_;
  yaml_parser_t parser_{};
  std::map<std::string, std::pair<NodePtr, std::size_t>> anchors_;
  std::size_t nodes_ = 0;
};

}  // namespace

bool Node::is_null() const {
  return kind == Kind::scalar && plain && (value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL");
}

const Node* Node::find(std::string_view key) const {
  for (const auto& [k, v] : pairs)
    if (k->value == key) return v.get();
  return nullptr;
}

NodePtr parse(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_bytes)
    throw Error(0, "the file is larger than " + std::to_string(limits.max_bytes / 1024) + " KiB: not a scenario");
  return Builder(text, limits).document();
}

std::string line_text(const Node& n, const std::string& what) {
  if (!n.is_scalar()) throw Error(n.line, what + " must be a single value");
  if (n.value.size() > 1000) throw Error(n.line, what + " is longer than 1000 characters");
  if (std::any_of(n.value.begin(), n.value.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    throw Error(n.line, what + " must be one line of printable text");
  return n.value;
}

}  // namespace closepath::yaml
