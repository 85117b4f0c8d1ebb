// render_samples.cpp — `madoguchi-render-samples TEMPLATES_DIR OUT_DIR`: writes the rendered
// samples of every template (sample_mail.h) into OUT_DIR, replacing the old ones. Exit 1 on a
// template error.
#include "templates/sample_mail.h"
#include "templates/variables.h"

#include <filesystem>
#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
  using namespace madoguchi::templates;
  if (argc != 3) {
    std::cerr << "usage: madoguchi-render-samples TEMPLATES_DIR OUT_DIR\n";
    return 2;
  }
  madoguchi::rules::ConfigErrors errors = check_templates(argv[1]);
  auto set = TemplateSet::load(argv[1], errors);
  for (const auto& e : errors) std::cerr << e.to_string() << '\n';
  if (!set || !errors.empty()) return 1;
  const std::filesystem::path out = argv[2];
  std::filesystem::create_directories(out);
  for (const auto& entry : std::filesystem::directory_iterator(out))
    if (entry.path().extension() == ".txt" || entry.path().extension() == ".eml")
      std::filesystem::remove(entry.path());
  for (const auto& [name, text] : render_samples(*set)) {
    std::ofstream f(out / name, std::ios::binary);
    f << text;
  }
  std::cout << "wrote samples of " << set->names().size() << " templates to " << out.string() << '\n';
  return 0;
}
