// rule_set.h — the condition language of SPEC.md §4, compiled once at load.
//
// A condition is a one-key YAML mapping (`all`, `any`, `not`, `header`, `from`, `identity`,
// `desk`, `subject`, `body`, `text`, `attachment_name`, `attachment_type`); rules/README.md
// has the grammar. Compilation turns keywords into ids of one KeywordAutomaton shared by the
// whole set and regular expressions into RE2 objects, so matching a mail is: normalise the
// text once, run the automaton once per field, then walk the condition trees testing bits
// (OpenSMTPD's "each criterion is one small predicate"). Nothing here reads YAML or the clock
// after compile().
#pragma once

#include "parsers/parsed_mail.h"
#include "rules/config_reader.h"
#include "rules/keyword_automaton.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace madoguchi::rules {

// A mail prepared for matching: normalised text and keyword hits, computed once per mail.
struct MatchInput {
  const parsers::ParsedMail* mail = nullptr;
  std::string_view identity;  // identity result name, e.g. "not_admin"
  std::string_view desk;      // desk id
  std::string subject;        // normalize_text(subject)
  std::string body;           // normalize_text(strip_quoted_lines(text))
  std::vector<std::uint8_t> subject_hits;  // KeywordAutomaton bits over `subject`
  std::vector<std::uint8_t> body_hits;     // ... over `body`
};

struct Condition;

// One line of `classify --explain`: a condition, whether it held, and why.
struct ConditionTrace {
  int depth = 0;
  bool matched = false;
  std::string text;  // e.g. "text any [オンサイト, 訪問]: matched オンサイト"
};

// The compiled conditions of one desk (all rules share one automaton).
class ConditionSet {
 public:
  ConditionSet();
  ~ConditionSet();
  ConditionSet(ConditionSet&&) noexcept;
  ConditionSet& operator=(ConditionSet&&) noexcept;

  // Named keyword lists (`lists:` of the desk) usable as `{lists: [name]}` in text matchers.
  // Records errors for empty words. Must be called before compile() of conditions using it.
  void add_list(const std::string& name, const std::vector<std::string>& words,
                ConfigReader& reader, const YAML::Node& at);

  // Compiles the condition at `node`; returns its handle, or -1 after recording errors.
  int compile(const YAML::Node& node, ConfigReader& reader);

  // Builds the automaton; call once after the last compile().
  void finish();

  // Normalises the mail's subject and body and runs the automaton over both.
  MatchInput prepare(const parsers::ParsedMail& mail, std::string_view identity,
                     std::string_view desk) const;

  // Evaluates condition `handle`. On a match, appends the keywords/patterns that made it
  // hold to `matched`; with `trace`, appends one line per condition evaluated.
  bool evaluate(int handle, const MatchInput& in, std::vector<std::string>& matched,
                std::vector<ConditionTrace>* trace = nullptr) const;

  std::size_t keyword_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace madoguchi::rules
