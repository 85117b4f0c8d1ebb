// renderer.h — renders a plain-text mustache template (kainjow) with string values.
// No HTML escaping: outgoing mail is text/plain. Sections `{{#x}}…{{/x}}` are shown when x
// is a non-empty value.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::templates {

using Values = std::map<std::string, std::string>;

struct RenderResult {
  bool ok = false;
  std::string text;   // rendered text when ok
  std::string error;  // template syntax error when !ok
};

RenderResult render(std::string_view template_text, const Values& values);

// Names of the variables ({{name}}, sections) the template refers to, for `madoguchi check`.
std::vector<std::string> template_variables(std::string_view template_text);

}  // namespace madoguchi::templates
