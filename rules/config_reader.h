// config_reader.h — strict YAML reading for every operator-edited file (madoguchi.yaml,
// desks/*.yaml, tenants.yaml): syntax errors, duplicate keys (yaml-cpp 0.7 silently keeps
// the first), unknown keys and wrong types all become ConfigErrors with file:line:column.
//
// Typed loaders (desks, tenants, the main file) read through a ConfigReader and collect every
// error instead of stopping at the first, so `madoguchi check` can list them all.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::rules {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based, 0 when unknown
  int column = 0;  // 1-based, 0 when unknown
  std::string message;

  // "file:line:column: message"
  std::string to_string() const;
};

using ConfigErrors = std::vector<ConfigError>;

// Reads one YAML document and reports problems against one file name.
class ConfigReader {
 public:
  explicit ConfigReader(std::string file);

  // Parses `text` (named file() in errors). Returns nullopt after recording the error on a
  // syntax error; records duplicate keys anywhere in the document.
  // A document whose aliases expand it beyond kMaxExpandedNodes nodes is refused (an alias
  // bomb would make every walk over it exponential), at the alias that passed the limit.
  std::optional<YAML::Node> parse(std::string_view text);
  static constexpr std::uint64_t kMaxExpandedNodes = 200000;
  // Reads file() from disk and parses it; a missing/unreadable file is an error.
  std::optional<YAML::Node> load();

  const std::string& file() const { return file_; }
  const ConfigErrors& errors() const { return errors_; }
  ConfigErrors take_errors() { return std::move(errors_); }
  bool ok() const { return errors_.empty(); }

  void error(const YAML::Node& at, std::string message);
  void error_at(int line, int column, std::string message);

  // True when `node` is a map; else records "<what> must be a mapping".
  bool expect_map(const YAML::Node& node, std::string_view what);
  // Records an error for each key of `map` not in `allowed`.
  void check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed);

  // Typed scalar reads from map[key]. Absent: nullopt (and an error when `required`).
  // Wrong type: an error and nullopt.
  std::optional<std::string> string(const YAML::Node& map, std::string_view key,
                                    bool required = false);
  std::optional<bool> boolean(const YAML::Node& map, std::string_view key,
                              bool required = false);
  std::optional<long long> integer(const YAML::Node& map, std::string_view key,
                                   bool required = false);
  // A sequence of scalars, or a single scalar taken as a one-element list. Absent: {}.
  std::vector<std::string> string_list(const YAML::Node& map, std::string_view key,
                                       bool required = false);

 private:
  void find_duplicates(const YAML::Node& node);

  std::string file_;
  ConfigErrors errors_;
};

// "30d", "12h", "90m", "45s" (or a bare integer of seconds) -> seconds; nullopt when invalid.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// Resolves `value` against the directory of `base_file` unless it is absolute.
std::filesystem::path resolve_path(const std::filesystem::path& base_file, std::string_view value);

}  // namespace madoguchi::rules
