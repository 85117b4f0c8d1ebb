// test_corpus_golden.cpp — every mail of the public corpus (tests/corpus/mail/) parses to
// exactly what tests/corpus/golden.json records for it: subject, From, Message-ID, the first
// 200 code points of the text with its length and FNV-1a hash, attachments (name, type, size)
// and warning codes. Any change to the parser's result on any corpus file fails here; after a reviewed
// change, tests/corpus/make_golden.py rewrites the file (this test never writes it).
// Reads files, as test_corpus.cpp does (corpus_files.h).
#include "parsers/parsed_mail.h"

#include "unit/parsers/corpus_files.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>

using namespace madoguchi::parsers;
using namespace madoguchi::parsers::test;
using Json = nlohmann::json;

namespace {

const std::string golden_path = std::string(MADOGUCHI_SOURCE_DIR) + "/tests/corpus/golden.json";

// The first `n` code points of valid UTF-8 `s` (as Python's str[:n] in make_golden.py).
std::string code_point_prefix(const std::string& s, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t count = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && count++ == n) break;
  }
  return s.substr(0, i);
}

std::string fnv1a64(const std::string& s) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001B3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// The parsed mail in the golden file's form (make_golden.py's expectation()).
Json expectation(const ParsedMail& m) {
  Json from = Json::array();
  for (const auto& a : m.from) from.push_back(Json::array({a.name, a.address}));
  Json attachments = Json::array();
  for (const auto& a : m.attachments) attachments.push_back(Json::array({a.filename, a.content_type, a.size}));
  Json warnings = Json::array();
  for (const auto& w : m.warnings) warnings.push_back(std::string(warning_name(w.code)) + (w.critical ? "!" : ""));
  return {{"subject", m.subject},
          {"from", from},
          {"message_id", m.message_id},
          {"text_head", code_point_prefix(m.text, 200)},
          {"text_bytes", m.text.size()},
          {"text_fnv1a64", fnv1a64(m.text)},
          {"attachments", attachments},
          {"warnings", warnings}};
}

std::string shown(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace

TEST_CASE("code_point_prefix counts code points, not bytes") {
  CHECK(code_point_prefix("abc", 2) == "ab");
  CHECK(code_point_prefix("日本語", 2) == "日本");
  CHECK(code_point_prefix("日本", 5) == "日本");
  CHECK(fnv1a64("") == "cbf29ce484222325");
  CHECK(fnv1a64("a") == "af63dc4c8601ec8c");
}

TEST_CASE("every corpus mail parses as its reviewed golden expectation") {
  std::ifstream in(golden_path);
  REQUIRE_MESSAGE(in, "missing " << golden_path << " (tests/corpus/make_golden.py writes it)");
  const Json golden = Json::parse(in)["files"];
  const auto files = manifest_files();
  REQUIRE(files.size() >= 400);
  std::set<std::string> listed(files.begin(), files.end());
  for (const auto& [rel, _] : golden.items()) {
    CAPTURE(rel);
    CHECK_MESSAGE(listed.count(rel), "golden.json names a file MANIFEST.tsv does not list");
  }
  std::size_t differing = 0;
  for (const auto& rel : files) {
    CAPTURE(rel);
    REQUIRE_MESSAGE(golden.contains(rel), "no golden expectation; rerun tests/corpus/make_golden.py and review");
    const Json want = golden[rel];
    const Json got = expectation(parse_mail(read_file(corpus_dir + rel)));
    bool same = true;
    for (const auto& [key, value] : got.items()) {
      CAPTURE(key);
      const bool ok = want.contains(key) && want[key] == value;
      // the values as JSON, so a mismatch shows both sides
      CHECK_MESSAGE(ok, "got " << shown(value) << "\nwant " << (want.contains(key) ? shown(want[key]) : "(none)"));
      same = same && ok;
    }
    differing += !same;
  }
  CHECK(differing == 0);
}
