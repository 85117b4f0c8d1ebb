// keyword_automaton.cpp — Aho-Corasick over bytes; see keyword_automaton.h.
#include "rules/keyword_automaton.h"

#include <algorithm>
#include <deque>
#include <stdexcept>

namespace madoguchi::rules {
namespace {
bool ascii_word(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
}  // namespace

std::int32_t KeywordAutomaton::child(std::int32_t node, std::uint8_t byte) const {
  const auto& next = nodes_[static_cast<std::size_t>(node)].next;
  auto it = std::lower_bound(next.begin(), next.end(), byte,
                             [](const auto& p, std::uint8_t b) { return p.first < b; });
  return (it != next.end() && it->first == byte) ? it->second : -1;
}

std::size_t KeywordAutomaton::add(std::string_view keyword) {
  if (built_) throw std::logic_error("KeywordAutomaton::add after build");
  if (keyword.empty()) throw std::invalid_argument("empty keyword");
  std::int32_t node = 0;
  for (unsigned char c : keyword) {
    std::int32_t n = child(node, c);
    if (n < 0) {
      n = static_cast<std::int32_t>(nodes_.size());
      nodes_.push_back(Node{});
      auto& next = nodes_[static_cast<std::size_t>(node)].next;
      auto it = std::lower_bound(next.begin(), next.end(), c,
                                 [](const auto& p, std::uint8_t b) { return p.first < b; });
      next.insert(it, {c, n});
    }
    node = n;
  }
  auto& end = nodes_[static_cast<std::size_t>(node)];
  if (end.keyword >= 0) return static_cast<std::size_t>(end.keyword);
  end.keyword = static_cast<std::int32_t>(keywords_.size());
  keywords_.emplace_back(keyword);
  left_bound_.push_back(ascii_word(static_cast<unsigned char>(keyword.front())));
  right_bound_.push_back(ascii_word(static_cast<unsigned char>(keyword.back())));
  return static_cast<std::size_t>(end.keyword);
}

void KeywordAutomaton::build() {
  root_next_.fill(0);
  for (auto [b, n] : nodes_[0].next) root_next_[b] = n;
  std::deque<std::int32_t> queue;
  for (auto [b, n] : nodes_[0].next) {
    nodes_[static_cast<std::size_t>(n)].fail = 0;
    queue.push_back(n);
  }
  while (!queue.empty()) {
    const std::int32_t u = queue.front();
    queue.pop_front();
    for (auto [b, v] : nodes_[static_cast<std::size_t>(u)].next) {
      std::int32_t f = nodes_[static_cast<std::size_t>(u)].fail;
      std::int32_t t = -1;
      while (true) {
        t = (f == 0) ? root_next_[b] : child(f, b);
        if (t > 0 || f == 0) break;
        f = nodes_[static_cast<std::size_t>(f)].fail;
      }
      if (t < 0 || t == v) t = 0;
      auto& nv = nodes_[static_cast<std::size_t>(v)];
      nv.fail = t;
      const auto& nt = nodes_[static_cast<std::size_t>(t)];
      nv.output_link = nt.keyword >= 0 ? t : nt.output_link;
      queue.push_back(v);
    }
  }
  built_ = true;
}

bool KeywordAutomaton::boundary_ok(std::string_view text, std::size_t end, std::size_t id) const {
  const std::size_t start = end - keywords_[id].size();
  if (left_bound_[id] && start > 0 && ascii_word(static_cast<unsigned char>(text[start - 1])))
    return false;
  if (right_bound_[id] && end < text.size() && ascii_word(static_cast<unsigned char>(text[end])))
    return false;
  return true;
}

void KeywordAutomaton::find_all(std::string_view text, std::vector<std::uint8_t>& found) const {
  found.assign(keywords_.size(), 0);
  if (!built_ || keywords_.empty()) return;
  std::int32_t state = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<std::uint8_t>(text[i]);
    while (true) {
      if (state == 0) {
        state = root_next_[c];
        break;
      }
      const std::int32_t n = child(state, c);
      if (n >= 0) {
        state = n;
        break;
      }
      state = nodes_[static_cast<std::size_t>(state)].fail;
    }
    const Node& here = nodes_[static_cast<std::size_t>(state)];
    std::int32_t out = here.keyword >= 0 ? state : here.output_link;
    while (out > 0) {
      const Node& o = nodes_[static_cast<std::size_t>(out)];
      const auto id = static_cast<std::size_t>(o.keyword);
      if (!found[id] && boundary_ok(text, i + 1, id)) found[id] = 1;
      out = o.output_link;
    }
  }
}

}  // namespace madoguchi::rules
