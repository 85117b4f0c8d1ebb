// template_set.cpp — see template_set.h.
#include "templates/template_set.h"

#include <fstream>
#include <sstream>

namespace madoguchi::templates {

std::shared_ptr<const TemplateSet> TemplateSet::load(const std::filesystem::path& dir,
                                                     rules::ConfigErrors& errors) {
  auto set = std::make_shared<TemplateSet>();
  set->dir_ = dir;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    errors.push_back({dir.string(), 0, 0, "templates directory does not exist"});
    return nullptr;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".mustache") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    MailTemplateText parts;
    std::string error;
    if (!split_mail_template(text, parts, error)) {
      errors.push_back({entry.path().string(), 1, 1, error});
      continue;
    }
    set->templates_[entry.path().stem().string()] = std::move(parts);
  }
  if (ec) errors.push_back({dir.string(), 0, 0, "cannot list templates: " + ec.message()});
  return set;
}

std::vector<std::string> TemplateSet::names() const {
  std::vector<std::string> out;
  for (const auto& [name, text] : templates_) out.push_back(name);
  return out;
}

RenderedMail TemplateSet::render(const std::string& name, const Values& values) const {
  auto it = templates_.find(name);
  if (it == templates_.end()) return {false, {}, {}, "no template '" + name + "'"};
  auto subject = templates::render(it->second.subject, values);
  auto body = templates::render(it->second.body, values);
  if (!subject.ok) return {false, {}, {}, subject.error};
  if (!body.ok) return {false, {}, {}, body.error};
  return {true, subject.text, body.text, {}};
}

}  // namespace madoguchi::templates
