// A socket option as level, name and raw value: satisfies Asio's
// SettableSocketOption, so one value applies to a socket or an acceptor.
// Built from the control channel's {"name": ..., "value": ...}.
#pragma once

#include <cstring>
#include <string>
#include <vector>

namespace closepath::peer {

class SocketOption {
 public:
  // Throws std::invalid_argument for a name it does not know.
  static SocketOption from(const std::string& name, int value);

  const std::string& label() const { return label_; }
  template <typename Protocol> int level(const Protocol&) const { return level_; }
  template <typename Protocol> int name(const Protocol&) const { return name_; }
  template <typename Protocol> const void* data(const Protocol&) const { return data_.data(); }
  template <typename Protocol> std::size_t size(const Protocol&) const { return data_.size(); }

 private:
  template <typename T>
  SocketOption(std::string label, int level, int name, const T& value)
      : label_(std::move(label)), level_(level), name_(name), data_(sizeof(T)) {
    std::memcpy(data_.data(), &value, sizeof(T));
  }

  std::string label_;
  int level_ = 0, name_ = 0;
  std::vector<char> data_;
};

}  // namespace closepath::peer
