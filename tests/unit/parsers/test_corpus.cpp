// test_corpus.cpp — every mail of the public corpus (tests/corpus/mail/MANIFEST.tsv)
// parses without an internal error and with valid UTF-8 everywhere, and the Japanese mails
// decode to the text a Japanese client shows. Reads files: the corpus tests (this one and
// test_corpus_golden.cpp) are the unit tests allowed to.
#include "parsers/charset.h"
#include "parsers/parsed_mail.h"

#include "unit/parsers/corpus_files.h"

#include <doctest/doctest.h>

#include <string>

using namespace madoguchi::parsers;
using namespace madoguchi::parsers::test;

namespace {

void check_utf8(const Part& p) {
  CHECK(is_valid_utf8(p.filename));
  for (const auto& c : p.children) check_utf8(c);
}

ParsedMail parse_corpus(const std::string& rel) { return parse_mail(read_file(corpus_dir + rel)); }

}  // namespace

TEST_CASE("every corpus mail parses to valid UTF-8 without internal errors") {
  auto files = manifest_files();
  REQUIRE(files.size() >= 400);
  std::size_t with_text = 0;
  for (const auto& rel : files) {
    CAPTURE(rel);
    std::string raw = read_file(corpus_dir + rel);
    REQUIRE(!raw.empty());
    ParsedMail m = parse_mail(raw);
    for (const auto& w : m.warnings) CHECK(w.code != WarningCode::internal_error);
    CHECK(is_valid_utf8(m.subject));
    CHECK(is_valid_utf8(m.text));
    for (const auto& h : m.headers) CHECK(is_valid_utf8(h.value));
    for (const auto& a : m.from) CHECK(is_valid_utf8(a.name));
    for (const auto& a : m.attachments) CHECK(is_valid_utf8(a.filename));
    check_utf8(m.root);
    if (!m.text.empty()) ++with_text;
  }
  CHECK(with_text * 10 >= files.size() * 8);  // most corpus mails have a readable body
}

TEST_CASE("the Japanese corpus mails decode as a Japanese client shows them") {
  ParsedMail m = parse_corpus("mimekit/japanese.txt");
  CHECK(m.subject == "日本語メールテスト (testing Japanese emails)");
  CHECK(m.text.find("日本語が\n正常に\n送れているか\nテスト.") != std::string::npos);
  m = parse_corpus("email2slack/euc-jp.txt");
  CHECK(m.subject == "EUC-JPで日本語");
  CHECK(m.text.find("このメールはEUC-JPでエンコードされています．") != std::string::npos);
  m = parse_corpus("email2slack/iso-2022-jp.txt");
  CHECK(m.text.find("このメールはISO-2022-JPでエンコードされています．") != std::string::npos);
  m = parse_corpus("email2slack/shift_jis.txt");
  CHECK(m.text.find("このメールはShift_JISでエンコードされています．") != std::string::npos);
  // No charset label at all: the JIS escapes are sniffed (Python leaves them raw).
  m = parse_corpus("cyrus-cassandane/iso-2022-jp.eml");
  CHECK(m.text.find("シニアソフトウェアエンジニア") != std::string::npos);
}

TEST_CASE("corpus DSNs are recognised") {
  ParsedMail m = parse_corpus("mimekit/delivery-status.txt");
  CHECK(m.is_delivery_status);
  m = parse_corpus("cpython/msg_01.txt");
  CHECK_FALSE(m.is_delivery_status);
}
