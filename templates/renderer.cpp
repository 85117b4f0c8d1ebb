// renderer.cpp — see renderer.h.
#include "templates/renderer.h"

#include <kainjow/mustache.hpp>

#include <set>

namespace madoguchi::templates {
namespace {
namespace mu = kainjow::mustache;

// An empty string is false for sections, so "{{#due_at}}…{{/due_at}}" hides with no due time.
void set_text(mu::data& data, const std::string& k, const std::string& v) {
  if (v.empty())
    data.set(k, mu::data::type::bool_false);
  else
    data.set(k, v);
}
}  // namespace

RenderResult render(std::string_view template_text, const Values& values) {
  mu::mustache tmpl{std::string(template_text)};
  if (!tmpl.is_valid()) return {false, {}, tmpl.error_message()};
  tmpl.set_custom_escape([](const std::string& s) { return s; });
  mu::data data;
  for (const auto& [k, v] : values) set_text(data, k, v);
  for (const auto& [k, rows] : values.lists) {
    if (rows.empty()) {
      data.set(k, mu::data::type::bool_false);
      continue;
    }
    mu::data list{mu::data::type::list};
    for (const auto& row : rows) {
      mu::data item;
      for (const auto& [rk, rv] : row) set_text(item, rk, rv);
      list.push_back(item);
    }
    data.set(k, list);
  }
  std::string text = tmpl.render(data);
  if (!tmpl.is_valid()) return {false, {}, tmpl.error_message()};
  return {true, std::move(text), {}};
}

std::vector<std::string> template_variables(std::string_view template_text) {
  std::set<std::string> names;
  std::size_t pos = 0;
  while ((pos = template_text.find("{{", pos)) != std::string_view::npos) {
    auto end = template_text.find("}}", pos + 2);
    if (end == std::string_view::npos) break;
    std::string_view tag = template_text.substr(pos + 2, end - pos - 2);
    if (!tag.empty() && (tag[0] == '#' || tag[0] == '^' || tag[0] == '/' || tag[0] == '{' ||
                         tag[0] == '&'))
      tag.remove_prefix(1);
    while (!tag.empty() && (tag.front() == ' ')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '}')) tag.remove_suffix(1);
    if (!tag.empty() && tag[0] != '!' && tag[0] != '>') names.insert(std::string(tag));
    pos = end + 2;
  }
  return {names.begin(), names.end()};
}

}  // namespace madoguchi::templates
