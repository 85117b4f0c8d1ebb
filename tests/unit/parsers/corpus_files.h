// corpus_files.h — the public mail corpus as the corpus tests read it: the files MANIFEST.tsv
// lists (under tests/corpus/mail/ of the sources) and their bytes.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace madoguchi::parsers::test {

inline const std::string corpus_dir = std::string(MADOGUCHI_SOURCE_DIR) + "/tests/corpus/mail/";

// The whole file, or "" when it cannot be read.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The second column of MANIFEST.tsv (paths relative to corpus_dir), in its order.
inline std::vector<std::string> manifest_files() {
  std::ifstream in(corpus_dir + "MANIFEST.tsv");
  std::vector<std::string> files;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto a = line.find('\t');
    const auto b = line.find('\t', a + 1);
    if (a != std::string::npos && b != std::string::npos) files.push_back(line.substr(a + 1, b - a - 1));
  }
  return files;
}

}  // namespace madoguchi::parsers::test
