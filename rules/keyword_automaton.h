// keyword_automaton.h — every keyword of a desk's rules found in one pass over the text.
//
// Why: a desk has hundreds of keywords spread over its rules, and a naive rule loop would
// search the body once per keyword per rule. An Aho-Corasick automaton over the normalised
// (NFKC, case-folded) UTF-8 bytes finds all of them in time linear in the text, whatever the
// number of keywords; rules then test bits. Keywords whose edge is an ASCII letter or digit
// only match at an ASCII word boundary ("ad" does not match inside "admin"); Japanese has no
// spaces, so a keyword edge that is not ASCII matches anywhere.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::rules {

class KeywordAutomaton {
 public:
  // Adds an already-normalised keyword; returns its id (0, 1, ...). The same keyword added
  // twice gets the id of the first. Must be called before build().
  std::size_t add(std::string_view keyword);
  // Computes the failure links; after this, add() is not allowed.
  void build();

  std::size_t size() const { return keywords_.size(); }
  const std::string& keyword(std::size_t id) const { return keywords_[id]; }

  // Sets found[id] = 1 for every keyword occurring in `text`; `found` is resized to size()
  // and cleared first.
  void find_all(std::string_view text, std::vector<std::uint8_t>& found) const;

 private:
  struct Node {
    std::vector<std::pair<std::uint8_t, std::int32_t>> next;  // sorted by byte
    std::int32_t fail = 0;
    std::int32_t output_link = -1;  // nearest suffix node that ends a keyword
    std::int32_t keyword = -1;      // keyword ending here
  };
  std::int32_t child(std::int32_t node, std::uint8_t byte) const;
  bool boundary_ok(std::string_view text, std::size_t end, std::size_t id) const;

  std::vector<Node> nodes_{Node{}};
  std::array<std::int32_t, 256> root_next_{};  // dense transitions of the root
  std::vector<std::string> keywords_;
  std::vector<std::uint8_t> left_bound_, right_bound_;
  bool built_ = false;
};

}  // namespace madoguchi::rules
