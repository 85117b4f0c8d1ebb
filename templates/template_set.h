// template_set.h — the mail templates of a deployment, loaded once (at start and on reload)
// from a directory of <name>.mustache files, each "Subject: …", a blank line, the body.
#pragma once

#include "templates/message.h"
#include "templates/renderer.h"
#include "rules/config_reader.h"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace madoguchi::templates {

struct RenderedMail {
  bool ok = false;
  std::string subject;
  std::string body;
  std::string error;
};

class TemplateSet {
 public:
  // Loads every *.mustache in `dir` (a file without its Subject line is an error). Template
  // syntax and unknown variables are check_templates()'s (variables.h), which every loader
  // runs first and which places each error at file:line:column. nullptr when the directory
  // cannot be read.
  static std::shared_ptr<const TemplateSet> load(const std::filesystem::path& dir,
                                                 rules::ConfigErrors& errors);

  bool has(const std::string& name) const { return templates_.count(name) != 0; }
  std::vector<std::string> names() const;  // sorted
  RenderedMail render(const std::string& name, const Values& values) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::map<std::string, MailTemplateText> templates_;
};

}  // namespace madoguchi::templates
