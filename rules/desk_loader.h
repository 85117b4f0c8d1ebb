// desk_loader.h — one desk file (config/desks/<id>.yaml) -> a Desk and its compiled rules.
//
// Why compiled here and not in decide(): YAML nodes and regular expressions are read and
// checked once at load (STYLE.md: "compile at load, pass time in"); a desk that does not
// compile is refused as a whole with every file:line:column, and the daemon keeps the old
// policy. The schema is documented in rules/README.md and config/README.md.
#pragma once

#include "rules/calendar.h"
#include "rules/config_reader.h"
#include "rules/policy.h"
#include "rules/rule_set.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace madoguchi::rules {

// One rule of a desk, compiled.
struct RuleSpec {
  std::string id;
  std::string description;
  std::string cite;
  int condition = -1;              // handle in the desk's ConditionSet
  Outcome outcome = Outcome::in_scope;
  Action action = Action::none;    // reply | flag for out_of_scope, else none
  std::string reason;              // e.g. "onsite"; "sales" for redirect by default
  std::string reason_ja;           // Japanese text of the reason for templates
  std::string template_name;       // overrides the outcome's template ("" = default)
  bool eligible_only = true;       // skipped unless the sender is eligible (`senders: eligible`)
};

struct CompiledDesk {
  Desk desk;
  ConditionSet conditions;
  std::vector<RuleSpec> rules;
  std::unique_ptr<BusinessCalendar> calendar;
};

// The kinds of outgoing automatic mail whose template a desk's `templates:` may override.
const std::vector<std::string>& template_kinds();

// Parses and compiles a desk document; `stem` is the file name without ".yaml" (the id
// when the file has none). nullopt when any error was recorded in `reader`.
std::optional<CompiledDesk> parse_desk(const YAML::Node& root, ConfigReader& reader,
                                       const std::string& stem);

// Loads one desk file; errors appended to `errors`. With a non-empty `templates_dir`,
// every template the desk refers to must exist there as <name>.mustache.
std::optional<CompiledDesk> load_desk(const std::filesystem::path& file,
                                      const std::filesystem::path& templates_dir,
                                      ConfigErrors& errors);

}  // namespace madoguchi::rules
