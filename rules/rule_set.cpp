// rule_set.cpp — compiling and evaluating conditions; see rule_set.h and rules/README.md.
#include "rules/rule_set.h"

#include "rules/text_normalize.h"

#include <re2/re2.h>

#include <algorithm>
#include <map>

namespace madoguchi::rules {
namespace {

enum class Kind { all, any, negate, header, from, identity, desk, text, attachment_name, attachment_type };
enum class Field { subject, body, text };

// Identity result names accepted by `identity:` (the names of to_string(Identity)).
constexpr std::string_view identity_names[] = {
    "eligible",         "not_registered",     "not_admin",         "contract_missing",
    "contract_expired", "contract_suspended", "unverified_sender",
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

// Keywords/regexes of one text matcher ({any, all, regex, lists}).
struct TextMatcher {
  std::vector<std::size_t> any_ids, all_ids;       // automaton ids (subject/body/text)
  std::vector<std::string> any_norm, all_norm;     // normalised words (other fields)
  std::vector<std::string> any_shown, all_shown;   // as written, for `matched`
  std::vector<std::unique_ptr<re2::RE2>> regexes;  // any of them
  std::vector<std::string> regex_src;
};

struct Condition {
  Kind kind = Kind::all;
  std::vector<int> children;
  Field field = Field::text;
  TextMatcher text;
  std::string header_name;  // lower-case
  bool header_exists = false, header_absent = false;
  std::vector<std::string> values;  // identity / desk / attachment types / header equals
  std::vector<std::string> addresses, domains;  // from
  std::string label;
};

struct ConditionSet::Impl {
  std::vector<Condition> nodes;
  KeywordAutomaton automaton;
  std::map<std::string, std::vector<std::string>> lists;  // name -> words as written

  int compile(const YAML::Node& node, ConfigReader& r);
  bool compile_text(const YAML::Node& spec, ConfigReader& r, TextMatcher& m, bool automaton_ids,
                    std::string& label);
  bool eval(int h, const MatchInput& in, std::vector<std::string>& matched,
            std::vector<ConditionTrace>* trace, int depth) const;
  bool eval_text_field(const Condition& c, const MatchInput& in,
                       std::vector<std::string>& found, std::string& why) const;
  static bool eval_text_string(const TextMatcher& m, const std::string& norm,
                               std::vector<std::string>& found);
};

ConditionSet::ConditionSet() : impl_(std::make_unique<Impl>()) {}
ConditionSet::~ConditionSet() = default;
ConditionSet::ConditionSet(ConditionSet&&) noexcept = default;
ConditionSet& ConditionSet::operator=(ConditionSet&&) noexcept = default;

void ConditionSet::add_list(const std::string& name, const std::vector<std::string>& words,
                            ConfigReader& reader, const YAML::Node& at) {
  for (const auto& w : words)
    if (normalize_text(w).empty()) reader.error(at, "list '" + name + "' has an empty word");
  impl_->lists[name] = words;
}

int ConditionSet::compile(const YAML::Node& node, ConfigReader& reader) {
  return impl_->compile(node, reader);
}

void ConditionSet::finish() { impl_->automaton.build(); }

std::size_t ConditionSet::keyword_count() const { return impl_->automaton.size(); }

bool ConditionSet::Impl::compile_text(const YAML::Node& spec, ConfigReader& r, TextMatcher& m,
                                      bool automaton_ids, std::string& label) {
  if (spec.IsSequence() || spec.IsScalar()) {
    r.error(spec, "a text matcher is a mapping with any, all, regex or lists "
                  "(e.g. {any: [オンサイト, 訪問]})");
    return false;
  }
  if (!r.expect_map(spec, "text matcher")) return false;
  const std::size_t before = r.errors().size();
  r.check_keys(spec, {"any", "all", "regex", "lists"});
  auto add_words = [&](const std::vector<std::string>& words, std::vector<std::size_t>& ids,
                       std::vector<std::string>& norm, std::vector<std::string>& shown,
                       const YAML::Node& at) {
    for (const auto& w : words) {
      std::string n = normalize_text(w);
      if (n.empty()) {
        r.error(at, "empty keyword");
        continue;
      }
      if (automaton_ids) ids.push_back(automaton.add(n));
      norm.push_back(n);
      shown.push_back(w);
    }
  };
  auto any = r.string_list(spec, "any");
  auto all = r.string_list(spec, "all");
  add_words(any, m.any_ids, m.any_norm, m.any_shown, spec["any"]);
  add_words(all, m.all_ids, m.all_norm, m.all_shown, spec["all"]);
  for (const auto& name : r.string_list(spec, "lists")) {
    auto it = lists.find(name);
    if (it == lists.end()) {
      r.error(spec["lists"], "unknown keyword list '" + name + "'");
      continue;
    }
    add_words(it->second, m.any_ids, m.any_norm, m.any_shown, spec["lists"]);
  }
  for (const auto& pattern : r.string_list(spec, "regex")) {
    re2::RE2::Options opt;
    opt.set_log_errors(false);
    opt.set_case_sensitive(false);
    opt.set_encoding(re2::RE2::Options::EncodingUTF8);
    opt.set_max_mem(8 << 20);
    auto re = std::make_unique<re2::RE2>(pattern, opt);
    if (!re->ok()) {
      r.error(spec["regex"], "invalid regular expression '" + pattern + "': " + re->error());
      continue;
    }
    m.regexes.push_back(std::move(re));
    m.regex_src.push_back(pattern);
  }
  if (any.empty() && all.empty() && m.regexes.empty() && !spec["lists"].IsDefined() &&
      r.errors().size() == before)
    r.error(spec, "text matcher needs at least one of any, all, regex, lists");
  if (!m.any_shown.empty()) label += " any [" + join(m.any_shown) + "]";
  if (!m.all_shown.empty()) label += " all [" + join(m.all_shown) + "]";
  if (!m.regex_src.empty()) label += " regex [" + join(m.regex_src) + "]";
  return r.errors().size() == before;
}

int ConditionSet::Impl::compile(const YAML::Node& node, ConfigReader& r) {
  if (!node.IsMap() || node.size() != 1) {
    r.error(node, "a condition is a mapping with exactly one key (all, any, not, header, from, "
                  "identity, desk, subject, body, text, attachment_name, attachment_type)");
    return -1;
  }
  const auto kv = *node.begin();
  const std::string key = kv.first.Scalar();
  const YAML::Node spec = kv.second;
  Condition c;
  bool ok = true;
  if (key == "all" || key == "any") {
    c.kind = key == "all" ? Kind::all : Kind::any;
    c.label = key;
    if (!spec.IsSequence() || spec.size() == 0) {
      r.error(spec, "'" + key + "' must be a non-empty list of conditions");
      return -1;
    }
    for (const auto& item : spec) {
      int h = compile(item, r);
      if (h < 0) ok = false;
      c.children.push_back(h);
    }
  } else if (key == "not") {
    c.kind = Kind::negate;
    c.label = "not";
    int h = compile(spec, r);
    if (h < 0) return -1;
    c.children.push_back(h);
  } else if (key == "subject" || key == "body" || key == "text") {
    c.kind = Kind::text;
    c.field = key == "subject" ? Field::subject : key == "body" ? Field::body : Field::text;
    c.label = key;
    ok = compile_text(spec, r, c.text, true, c.label);
  } else if (key == "attachment_name") {
    c.kind = Kind::attachment_name;
    c.label = key;
    ok = compile_text(spec, r, c.text, false, c.label);
  } else if (key == "identity" || key == "desk" || key == "attachment_type") {
    c.kind = key == "identity" ? Kind::identity : key == "desk" ? Kind::desk : Kind::attachment_type;
    if (!spec.IsScalar() && !spec.IsSequence()) {
      r.error(spec, "'" + key + "' must be a name or a list of names");
      return -1;
    }
    YAML::Node wrap;
    wrap[key] = spec;
    c.values = r.string_list(wrap, key);
    for (auto& v : c.values) v = ascii_lower_trim(v);
    if (c.values.empty()) {
      r.error(spec, "'" + key + "' must not be empty");
      ok = false;
    }
    if (c.kind == Kind::identity)
      for (const auto& v : c.values)
        if (std::find(std::begin(identity_names), std::end(identity_names), v) ==
            std::end(identity_names)) {
          r.error(spec, "unknown identity result '" + v + "'");
          ok = false;
        }
    c.label = key + " in [" + join(c.values) + "]";
  } else if (key == "header") {
    c.kind = Kind::header;
    if (!r.expect_map(spec, "header condition")) return -1;
    r.check_keys(spec, {"name", "exists", "equals", "contains", "regex"});
    auto name = r.string(spec, "name", true);
    if (!name) return -1;
    c.header_name = ascii_lower_trim(*name);
    if (auto e = r.boolean(spec, "exists")) (*e ? c.header_exists : c.header_absent) = true;
    for (auto& v : r.string_list(spec, "equals")) c.values.push_back(normalize_text(v));
    c.label = "header " + *name;
    if (spec["contains"].IsDefined() || spec["regex"].IsDefined()) {
      YAML::Node sub;
      if (spec["contains"].IsDefined()) sub["any"] = spec["contains"];
      if (spec["regex"].IsDefined()) sub["regex"] = spec["regex"];
      ok = compile_text(sub, r, c.text, false, c.label);
    }
    if (!c.values.empty()) c.label += " equals [" + join(c.values) + "]";
    if (c.header_exists) c.label += " exists";
    if (c.header_absent) c.label += " absent";
    if (!c.header_exists && !c.header_absent && c.values.empty() && c.text.any_norm.empty() &&
        c.text.regexes.empty() && ok) {
      r.error(spec, "header condition needs exists, equals, contains or regex");
      ok = false;
    }
  } else if (key == "from") {
    c.kind = Kind::from;
    if (!r.expect_map(spec, "from condition")) return -1;
    r.check_keys(spec, {"address", "domain"});
    for (auto& a : r.string_list(spec, "address")) c.addresses.push_back(ascii_lower_trim(a));
    for (auto& d : r.string_list(spec, "domain")) c.domains.push_back(ascii_lower_trim(d));
    if (c.addresses.empty() && c.domains.empty()) {
      r.error(spec, "from condition needs address or domain");
      ok = false;
    }
    c.label = "from";
    if (!c.addresses.empty()) c.label += " address [" + join(c.addresses) + "]";
    if (!c.domains.empty()) c.label += " domain [" + join(c.domains) + "]";
  } else {
    r.error(kv.first, "unknown condition '" + key + "' (expected one of: all, any, not, header, "
                      "from, identity, desk, subject, body, text, attachment_name, "
                      "attachment_type)");
    return -1;
  }
  if (!ok) return -1;
  nodes.push_back(std::move(c));
  return static_cast<int>(nodes.size() - 1);
}

MatchInput ConditionSet::prepare(const parsers::ParsedMail& mail, std::string_view identity,
                                 std::string_view desk) const {
  MatchInput in;
  in.mail = &mail;
  in.identity = identity;
  in.desk = desk;
  in.subject = normalize_text(mail.subject);
  in.body = normalize_text(strip_quoted_lines(mail.text));
  impl_->automaton.find_all(in.subject, in.subject_hits);
  impl_->automaton.find_all(in.body, in.body_hits);
  return in;
}

bool ConditionSet::evaluate(int handle, const MatchInput& in, std::vector<std::string>& matched,
                            std::vector<ConditionTrace>* trace) const {
  if (handle < 0) return false;
  return impl_->eval(handle, in, matched, trace, 0);
}

bool ConditionSet::Impl::eval_text_string(const TextMatcher& m, const std::string& norm,
                                          std::vector<std::string>& found) {
  bool ok = true;
  if (!m.all_norm.empty()) {
    for (std::size_t i = 0; i < m.all_norm.size() && ok; ++i) {
      if (norm.find(m.all_norm[i]) == std::string::npos) ok = false;
      else found.push_back(m.all_shown[i]);
    }
  }
  if (ok && !m.any_norm.empty()) {
    bool any = false;
    for (std::size_t i = 0; i < m.any_norm.size(); ++i)
      if (norm.find(m.any_norm[i]) != std::string::npos) {
        found.push_back(m.any_shown[i]);
        any = true;
        break;
      }
    ok = any;
  }
  if (ok && !m.regexes.empty()) {
    bool any = false;
    for (std::size_t i = 0; i < m.regexes.size(); ++i)
      if (re2::RE2::PartialMatch(norm, *m.regexes[i])) {
        found.push_back("/" + m.regex_src[i] + "/");
        any = true;
        break;
      }
    ok = any;
  }
  return ok;
}

bool ConditionSet::Impl::eval_text_field(const Condition& c, const MatchInput& in,
                                         std::vector<std::string>& found, std::string& why) const {
  const TextMatcher& m = c.text;
  auto hit = [&](std::size_t id) {
    const bool s = c.field != Field::body && id < in.subject_hits.size() && in.subject_hits[id];
    const bool b = c.field != Field::subject && id < in.body_hits.size() && in.body_hits[id];
    return s || b;
  };
  for (std::size_t i = 0; i < m.all_ids.size(); ++i) {
    if (!hit(m.all_ids[i])) {
      why = "missing " + m.all_shown[i];
      return false;
    }
    found.push_back(m.all_shown[i]);
  }
  if (!m.any_ids.empty()) {
    bool any = false;
    for (std::size_t i = 0; i < m.any_ids.size(); ++i)
      if (hit(m.any_ids[i])) {
        found.push_back(m.any_shown[i]);
        any = true;  // report every word that hit: operators tune lists from this
      }
    if (!any) {
      why = "no word found";
      return false;
    }
  }
  if (!m.regexes.empty()) {
    bool any = false;
    for (std::size_t i = 0; i < m.regexes.size() && !any; ++i) {
      if ((c.field != Field::body && re2::RE2::PartialMatch(in.subject, *m.regexes[i])) ||
          (c.field != Field::subject && re2::RE2::PartialMatch(in.body, *m.regexes[i]))) {
        found.push_back("/" + m.regex_src[i] + "/");
        any = true;
      }
    }
    if (!any) {
      why = "no pattern matched";
      return false;
    }
  }
  return true;
}

bool ConditionSet::Impl::eval(int h, const MatchInput& in, std::vector<std::string>& matched,
                              std::vector<ConditionTrace>* trace, int depth) const {
  const Condition& c = nodes[static_cast<std::size_t>(h)];
  const parsers::ParsedMail& mail = *in.mail;
  std::vector<std::string> found;
  std::string why;
  bool result = false;
  std::size_t trace_at = trace ? trace->size() : 0;
  if (trace) trace->push_back({depth, false, {}});
  switch (c.kind) {
    case Kind::all:
      result = true;
      for (int child : c.children)
        if (!eval(child, in, found, trace, depth + 1)) {
          result = false;
          break;
        }
      break;
    case Kind::any:
      for (int child : c.children)
        if (eval(child, in, found, trace, depth + 1)) {
          result = true;
          break;
        }
      break;
    case Kind::negate: {
      std::vector<std::string> ignored;  // words under `not` did not make the rule match
      result = !eval(c.children[0], in, ignored, trace, depth + 1);
      break;
    }
    case Kind::text:
      result = eval_text_field(c, in, found, why);
      break;
    case Kind::attachment_name:
      for (const auto& a : mail.attachments)
        if (eval_text_string(c.text, normalize_text(a.filename), found)) {
          result = true;
          break;
        }
      if (!result) why = mail.attachments.empty() ? "no attachments" : "no attachment name matched";
      break;
    case Kind::attachment_type:
      for (const auto& a : mail.attachments) {
        const std::string type = ascii_lower_trim(a.content_type);
        for (const auto& v : c.values) {
          const bool wildcard = v.size() >= 2 && v.ends_with("/*");
          if (type == v || (wildcard && type.starts_with(v.substr(0, v.size() - 1)))) {
            found.push_back(v);
            result = true;
          }
        }
      }
      if (!result) why = mail.attachments.empty() ? "no attachments" : "no attachment type matched";
      break;
    case Kind::identity:
      result = std::find(c.values.begin(), c.values.end(), in.identity) != c.values.end();
      why = "identity is " + std::string(in.identity);
      if (result) found.push_back("identity=" + std::string(in.identity));
      break;
    case Kind::desk:
      result = std::find(c.values.begin(), c.values.end(), in.desk) != c.values.end();
      why = "desk is " + std::string(in.desk);
      break;
    case Kind::from: {
      for (const auto& a : mail.from) {
        const std::string addr = ascii_lower_trim(a.address);
        const auto at = addr.rfind('@');
        const std::string domain = at == std::string::npos ? "" : addr.substr(at + 1);
        for (const auto& x : c.addresses)
          if (addr == x) { found.push_back(x); result = true; }
        for (const auto& d : c.domains)
          if (domain == d || domain.ends_with("." + d)) { found.push_back("@" + d); result = true; }
      }
      break;
    }
    case Kind::header: {
      bool present = false;
      for (const auto& hd : mail.headers) {
        if (ascii_lower_trim(hd.name) != c.header_name) continue;
        present = true;
        const std::string norm = normalize_text(hd.value);
        std::string trimmed = norm;
        while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) trimmed.pop_back();
        while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) trimmed.erase(0, 1);
        bool ok = true;
        if (!c.values.empty())
          ok = std::find(c.values.begin(), c.values.end(), trimmed) != c.values.end();
        std::vector<std::string> f;
        if (ok && (!c.text.any_norm.empty() || !c.text.regexes.empty()))
          ok = eval_text_string(c.text, norm, f);
        if (ok && (!c.values.empty() || !f.empty())) {
          found.insert(found.end(), f.begin(), f.end());
          if (!c.values.empty()) found.push_back(c.header_name + ": " + trimmed);
          result = true;
          break;
        }
      }
      if (c.header_absent) result = !present;
      else if (c.header_exists && c.values.empty() && c.text.any_norm.empty() && c.text.regexes.empty())
        result = present;
      if (result && c.header_exists && found.empty()) found.push_back(c.header_name);
      if (!result) why = present ? "value did not match" : (c.header_absent ? "present" : "absent");
      break;
    }
  }
  if (trace) {
    auto& line = (*trace)[trace_at];
    line.matched = result;
    line.text = c.label;
    if (result && !found.empty() && c.kind != Kind::all && c.kind != Kind::any)
      line.text += ": matched " + join(found);
    else if (!result && !why.empty())
      line.text += ": " + why;
  }
  if (result) matched.insert(matched.end(), found.begin(), found.end());
  return result;
}

}  // namespace madoguchi::rules
