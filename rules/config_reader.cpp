// config_reader.cpp — see config_reader.h.
#include "rules/config_reader.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

namespace madoguchi::rules {

std::string ConfigError::to_string() const {
  std::string s = file;
  if (line > 0) {
    s += ':' + std::to_string(line);
    if (column > 0) s += ':' + std::to_string(column);
  }
  s += ": ";
  s += message;
  return s;
}

ConfigReader::ConfigReader(std::string file) : file_(std::move(file)) {}

namespace {

// The number of nodes a document stands for with every alias expanded. yaml-cpp shares an
// aliased node instead of copying it, but every walk over the tree (duplicate keys, the
// loaders) visits each use: nine levels of nine aliases are 9^9 visits. Counted from the
// parser's events, before any tree is built.
class ExpansionCounter final : public YAML::EventHandler {
 public:
  explicit ExpansionCounter(std::uint64_t limit) : limit_(limit) {}
  std::uint64_t total() const { return total_; }
  // Where the limit was first passed.
  const YAML::Mark& where() const { return where_; }
  bool exceeded() const { return total_ > limit_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t a) override { leaf(m, a); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t a, const std::string&) override { leaf(m, a); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t a) override {
    const auto it = sizes_.find(a);
    add(m, it == sizes_.end() ? 1 : it->second);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a, YAML::EmitterStyle::value) override {
    open(m, a);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t a, YAML::EmitterStyle::value) override {
    open(m, a);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YAML::anchor_t anchor;
    std::uint64_t size;
  };
  void add(const YAML::Mark& m, std::uint64_t n) {
    const bool was = exceeded();
    total_ = std::min<std::uint64_t>(total_ + n, limit_ + 1);
    for (auto& o : stack_) o.size = std::min<std::uint64_t>(o.size + n, limit_ + 1);
    if (!was && exceeded()) where_ = m;
  }
  void leaf(const YAML::Mark& m, YAML::anchor_t a) {
    add(m, 1);
    if (a != YAML::NullAnchor) sizes_[a] = 1;
  }
  void open(const YAML::Mark& m, YAML::anchor_t a) {
    add(m, 1);
    stack_.push_back({a, 1});
  }
  void close() {
    if (stack_.empty()) return;
    const Open o = stack_.back();
    stack_.pop_back();
    if (o.anchor != YAML::NullAnchor) sizes_[o.anchor] = o.size;
  }

  std::uint64_t limit_;
  std::uint64_t total_ = 0;
  YAML::Mark where_ = YAML::Mark::null_mark();
  std::vector<Open> stack_;
  std::map<YAML::anchor_t, std::uint64_t> sizes_;
};

}  // namespace

std::optional<YAML::Node> ConfigReader::parse(std::string_view text) {
  try {
    {
      std::istringstream in{std::string(text)};
      YAML::Parser parser(in);
      ExpansionCounter counter(kMaxExpandedNodes);
      while (parser.HandleNextDocument(counter) && !counter.exceeded()) {
      }
      if (counter.exceeded()) {
        const YAML::Mark& m = counter.where();
        error_at(m.line + 1, m.column + 1,
                 "aliases expand this document beyond " + std::to_string(kMaxExpandedNodes) +
                     " nodes (an alias bomb?); write the values out");
        return std::nullopt;
      }
    }
    YAML::Node root = YAML::Load(std::string(text));
    find_duplicates(root);
    return root;
  } catch (const YAML::ParserException& e) {
    // mark is 0-based; e.msg is the message without the position prefix.
    error_at(e.mark.line + 1, e.mark.column + 1, e.msg);
  } catch (const YAML::Exception& e) {
    error_at(e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  return std::nullopt;
}

std::optional<YAML::Node> ConfigReader::load() {
  std::ifstream in(file_, std::ios::binary);
  if (!in) {
    error_at(0, 0, "cannot read file");
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str());
}

void ConfigReader::error(const YAML::Node& at, std::string message) {
  const YAML::Mark m = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
  if (m.is_null())
    error_at(0, 0, std::move(message));
  else
    error_at(m.line + 1, m.column + 1, std::move(message));
}

void ConfigReader::error_at(int line, int column, std::string message) {
  errors_.push_back({file_, line, column, std::move(message)});
}

void ConfigReader::find_duplicates(const YAML::Node& node) {
  if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& kv : node) {
      if (kv.first.IsScalar() && !seen.insert(kv.first.Scalar()).second)
        error(kv.first, "duplicate key '" + kv.first.Scalar() + "'");
      find_duplicates(kv.second);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) find_duplicates(item);
  }
}

bool ConfigReader::expect_map(const YAML::Node& node, std::string_view what) {
  if (node.IsMap()) return true;
  error(node, std::string(what) + " must be a mapping");
  return false;
}

void ConfigReader::check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed) {
  if (!map.IsMap()) return;
  for (const auto& kv : map) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      error(kv.first, "unknown key '" + key + "' (expected one of: " + list + ")");
    }
  }
}

namespace {
// yaml-cpp returns an undefined node for a missing key; operator[] on a const map does not
// insert.
YAML::Node child(const YAML::Node& map, std::string_view key) {
  if (!map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  return map[std::string(key)];
}
}  // namespace

std::optional<std::string> ConfigReader::string(const YAML::Node& map, std::string_view key,
                                                 bool required) {
  YAML::Node n = child(map, key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) error(map, "missing required key '" + std::string(key) + "'");
    return std::nullopt;
  }
  if (!n.IsScalar()) {
    error(n, "'" + std::string(key) + "' must be a string");
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<bool> ConfigReader::boolean(const YAML::Node& map, std::string_view key,
                                          bool required) {
  auto s = string(map, key, required);
  if (!s) return std::nullopt;
  if (*s == "true" || *s == "yes" || *s == "on") return true;
  if (*s == "false" || *s == "no" || *s == "off") return false;
  error(child(map, key), "'" + std::string(key) + "' must be true or false");
  return std::nullopt;
}

std::optional<long long> ConfigReader::integer(const YAML::Node& map, std::string_view key,
                                               bool required) {
  auto s = string(map, key, required);
  if (!s) return std::nullopt;
  long long v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || p != s->data() + s->size()) {
    error(child(map, key), "'" + std::string(key) + "' must be an integer");
    return std::nullopt;
  }
  return v;
}

std::vector<std::string> ConfigReader::string_list(const YAML::Node& map, std::string_view key,
                                                   bool required) {
  std::vector<std::string> out;
  YAML::Node n = child(map, key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) error(map, "missing required key '" + std::string(key) + "'");
    return out;
  }
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
  } else if (n.IsSequence()) {
    for (const auto& item : n) {
      if (item.IsScalar())
        out.push_back(item.Scalar());
      else
        error(item, "items of '" + std::string(key) + "' must be strings");
    }
  } else {
    error(n, "'" + std::string(key) + "' must be a list of strings");
  }
  return out;
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  long long unit = 1;
  switch (text.back()) {
    case 's': unit = 1; text.remove_suffix(1); break;
    case 'm': unit = 60; text.remove_suffix(1); break;
    case 'h': unit = 3600; text.remove_suffix(1); break;
    case 'd': unit = 86400; text.remove_suffix(1); break;
    default: break;
  }
  long long v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v < 0)
    return std::nullopt;
  return std::chrono::seconds(v * unit);
}

std::filesystem::path resolve_path(const std::filesystem::path& base_file, std::string_view value) {
  std::filesystem::path p{std::string(value)};
  if (p.is_absolute()) return p;
  return base_file.parent_path() / p;
}

}  // namespace madoguchi::rules
