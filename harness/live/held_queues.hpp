// The frames the wire holds, by hold (one queue per `wire: hold` step), each
// queue in arrival order. A hold's `until` or a plain release takes a whole
// queue; `release N` takes the N oldest frames whichever hold holds them.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <map>
#include <vector>

namespace closepath {

// T has `std::size_t record`: its place in arrival order.
template <typename T>
class HeldQueues {
 public:
  void hold(int queue, T item) { queues_[queue].push_back(std::move(item)); }
  bool empty() const { return queues_.empty(); }
  // The whole of one queue (empty when it holds nothing), which ends.
  std::deque<T> take(int queue) {
    const auto it = queues_.find(queue);
    if (it == queues_.end()) return {};
    auto out = std::move(it->second);
    queues_.erase(it);
    return out;
  }
  // The n oldest (fewer when fewer are held), oldest first; their queues go on.
  std::vector<T> take_oldest(std::size_t n) {
    std::vector<T> out;
    for (; n > 0 && !queues_.empty(); --n) {
      const auto oldest = std::min_element(queues_.begin(), queues_.end(), [](const auto& a, const auto& b) {
        return a.second.front().record < b.second.front().record;
      });
      out.push_back(std::move(oldest->second.front()));
      oldest->second.pop_front();
      if (oldest->second.empty()) queues_.erase(oldest);
    }
    return out;
  }
  std::size_t count() const {
    std::size_t n = 0;
    for (const auto& [queue, items] : queues_) n += items.size();
    return n;
  }
  template <typename F>
  void for_each(F f) const {
    for (const auto& [queue, items] : queues_)
      for (const auto& item : items) f(item);
  }

 private:
  std::map<int, std::deque<T>> queues_;
};

}  // namespace closepath
