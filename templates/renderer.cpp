// renderer.cpp — see renderer.h.
#include "templates/renderer.h"

#include <kainjow/mustache.hpp>

#include <algorithm>
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

std::pair<int, int> locate_syntax_error(std::string_view file_text, std::string_view part,
                                        std::string_view message) {
  const auto at = message.rfind(" at ");
  if (at == std::string_view::npos) return {0, 0};
  std::size_t offset = 0;
  for (char c : message.substr(at + 4)) {
    if (c < '0' || c > '9') return {0, 0};
    offset = offset * 10 + static_cast<std::size_t>(c - '0');
  }
  // The part is the subject or body cut out of the file; an offset past it points at its end.
  std::size_t base = file_text.find(part);
  if (base == std::string_view::npos) base = 0;
  const std::size_t pos = std::min(base + offset, file_text.size());
  int line = 1, column = 1;
  for (std::size_t i = 0; i < pos; ++i) {
    if (file_text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(file_text[i]) & 0xC0) != 0x80) {
      ++column;  // columns count characters, not UTF-8 bytes
    }
  }
  return {line, column};
}

}  // namespace madoguchi::templates
