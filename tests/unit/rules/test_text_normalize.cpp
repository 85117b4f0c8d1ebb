#include <doctest/doctest.h>

#include "rules/keyword_automaton.h"
#include "rules/text_normalize.h"

#include <random>

using namespace madoguchi::rules;

TEST_CASE("normalize: NFKC and case folding make widths and cases equal") {
  CHECK(normalize_text("ＶＰＮ") == "vpn");
  CHECK(normalize_text("ｶﾀｶﾅ") == "カタカナ");
  CHECK(normalize_text("①㈱Ⅲ～ｶﾀｶﾅＡＢＣ１２３") == "1(株)iii~カタカナabc123");
  CHECK(normalize_text("PassLogic") == "passlogic");
}

TEST_CASE("normalize: WAVE DASH folds like FULLWIDTH TILDE") {
  CHECK(normalize_text("10:00〜17:00") == "10:00~17:00");
  CHECK(normalize_text("10:00～17:00") == "10:00~17:00");
}

TEST_CASE("normalize: invalid UTF-8 does not fail, it becomes U+FFFD") {
  const std::string bad = std::string("ok\xFF") + "ＡＢ";
  CHECK(normalize_text(bad) == "ok\xEF\xBF\xBD" "ab");
}

TEST_CASE("normalize: identifiers fold every dash the IME gives") {
  CHECK(normalize_identifier_text("ＬＸ－２０２５－００４２") == "lx-2025-0042");
  CHECK(normalize_identifier_text("LX−2025‐0042") == "lx-2025-0042");  // U+2212, U+2010
  CHECK(normalize_identifier_text("LXー2025ー0042") == "lx-2025-0042");  // katakana long vowel
}

TEST_CASE("strip_quoted_lines drops quoted history and caps the size") {
  CHECK(strip_quoted_lines("質問です\n> オンサイト\n＞ 訪問\n 以上\n") == "質問です\n 以上\n");
  const std::string big(1000, 'a');
  CHECK(strip_quoted_lines(big, 100).size() == 100);
  // the cap never cuts a UTF-8 character in half
  const std::string ja = "あいうえお";  // 15 bytes
  CHECK(strip_quoted_lines(ja, 7) == "あい");
}

TEST_CASE("has_japanese") {
  CHECK(has_japanese("Hello 世界"));
  CHECK(has_japanese("ｶﾅ"));
  CHECK_FALSE(has_japanese("Hello, please reply in English."));
}

TEST_CASE("automaton: finds every keyword, overlapping and nested ones too") {
  KeywordAutomaton a;
  const auto settei = a.add("設定"), houhou = a.add("方法"), full = a.add("設定方法");
  const auto teihou = a.add("定方"), other = a.add("手順");
  const auto onsite = a.add(normalize_text("オンサイト"));
  CHECK(a.add("設定") == settei);  // same keyword, same id
  a.build();
  std::vector<std::uint8_t> found;
  a.find_all("設定方法を教えてください", found);
  CHECK(found[settei]);
  CHECK(found[houhou]);
  CHECK(found[full]);
  CHECK(found[teihou]);
  CHECK_FALSE(found[other]);
  CHECK_FALSE(found[onsite]);
  a.find_all(normalize_text("至急ｵﾝｻｲﾄでお願いします"), found);
  CHECK(found[onsite]);
}

TEST_CASE("automaton: ASCII keyword edges need a word boundary, Japanese edges do not") {
  KeywordAutomaton a;
  const auto ad = a.add("ad"), box = a.add("box"), kanji = a.add("設定");
  a.build();
  std::vector<std::uint8_t> found;
  a.find_all("admin of dropbox", found);
  CHECK_FALSE(found[ad]);
  CHECK_FALSE(found[box]);
  a.find_all("azure ad と box の設定について", found);
  CHECK(found[ad]);
  CHECK(found[box]);
  CHECK(found[kanji]);
  a.find_all("boxで同期", found);  // Japanese right after an ASCII word is a boundary
  CHECK(found[box]);
}

TEST_CASE("automaton: agrees with a naive search on random texts") {
  std::mt19937 rng(42);
  const std::string alphabet = "ab-";
  auto random_string = [&](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
    return s;
  };
  KeywordAutomaton a;
  std::vector<std::string> words;
  for (int i = 0; i < 40; ++i) {
    std::string w = "-" + random_string(rng() % 4) + "-";  // "-" edges: no boundary rule
    if (a.add(w) == words.size()) words.push_back(w);
  }
  a.build();
  for (int round = 0; round < 200; ++round) {
    const std::string text = random_string(rng() % 30);
    std::vector<std::uint8_t> found;
    a.find_all(text, found);
    for (std::size_t i = 0; i < words.size(); ++i)
      CHECK_MESSAGE(static_cast<bool>(found[i]) == (text.find(words[i]) != std::string::npos),
                    "text=" << text << " word=" << words[i]);
  }
}
