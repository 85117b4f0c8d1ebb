// renderer.h — renders a plain-text mustache template (kainjow) with string values and,
// for digests, lists of rows. No HTML escaping: outgoing mail is text/plain.
// Sections `{{#x}}…{{/x}}` are shown when x is a non-empty value or a non-empty list (once
// per row, with the row's names in scope); `{{^x}}…{{/x}}` when x is empty or absent.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace madoguchi::templates {

// One row of a list section, e.g. one ticket of the staff digest.
using Row = std::map<std::string, std::string>;

// Name -> text, as before (`Values v{{"a", "b"}}`, `v["a"] = …` keep working), plus named
// lists of rows for `{{#tickets}}…{{/tickets}}`. A name is either a value or a list.
struct Values : std::map<std::string, std::string> {
  using std::map<std::string, std::string>::map;
  std::map<std::string, std::vector<Row>> lists;
};

struct RenderResult {
  bool ok = false;
  std::string text;   // rendered text when ok
  std::string error;  // template syntax error when !ok
};

RenderResult render(std::string_view template_text, const Values& values);

// Where a kainjow syntax error ("Unclosed tag at 910": an offset into `part`) lies in the
// whole file `file_text` that `part` was cut from: {line, column}, 1-based; {0, 0} when the
// message carries no offset.
std::pair<int, int> locate_syntax_error(std::string_view file_text, std::string_view part,
                                        std::string_view message);

// Names of the variables ({{name}}, sections) the template refers to, for `madoguchi check`.
std::vector<std::string> template_variables(std::string_view template_text);

}  // namespace madoguchi::templates
