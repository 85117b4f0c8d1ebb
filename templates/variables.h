// variables.h — the one list of what the templates may use: every variable the daemon
// supplies (with a sample value for `madoguchi check` and templates/samples/), every template
// name the daemon renders, and the check that renders them all.
//
// A template may use only these names; a name a template uses that is not here is an error in
// `madoguchi check` (a typo would otherwise render as an empty string in a customer's mail).
#pragma once

#include "rules/config_reader.h"
#include "templates/renderer.h"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::templates {

struct VariableInfo {
  std::string_view name;
  std::string_view meaning;  // for operators (templates/README.md lists the same)
  std::string_view sample;   // "" for lists (their rows are in sample_values())
};

// Every variable, including the list `tickets` and the names its rows carry (the rows use
// the ticket variables' names: ticket_number, original_subject, requester, received_at, …).
const std::vector<VariableInfo>& known_variables();
bool is_known_variable(std::string_view name);

// Every template the daemon renders by name (the closing notices per reason included).
const std::vector<std::string>& template_names();

// Closing reasons (SPEC.md §5, Q&A の完了) that have a closed_<reason> template.
const std::vector<std::string>& closing_reasons();

// Sample values for every variable (Japanese, realistic), with two rows of `tickets`.
Values sample_values();

// Checks the templates of `dir` as the daemon would use them: every file parses, renders with
// the sample values and uses only known variables; every name in template_names() and in
// `also_required` (e.g. the desks' per-desk override names) exists. Errors are file:line:column
// where a position is known (line of the unknown name), else file:0:0.
rules::ConfigErrors check_templates(const std::filesystem::path& dir,
                                    const std::vector<std::string>& also_required = {});

}  // namespace madoguchi::templates
