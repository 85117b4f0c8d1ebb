// test_charset.cpp — charset decoding vectors: the CP932 extensions through ISO-2022-JP,
// Shift_JIS and EUC-JP, sniffing of missing or wrong labels, and invalid bytes.
#include "parsers/charset.h"

#include <doctest/doctest.h>

using namespace madoguchi::parsers;

TEST_CASE("ISO-2022-JP decodes kanji, kana and the Microsoft extensions") {
  // 日本語 in JIS X 0208
  CHECK(to_utf8("\x1b$BF|K\\8l\x1b(B", "ISO-2022-JP") == "日本語");
  // ① ㈱ Ⅲ: NEC row 13, rejected by glibc's ISO-2022-JP
  CHECK(to_utf8("\x1b$B-!-j-7\x1b(B", "iso-2022-jp") == "①㈱Ⅲ");
  // 髙: NEC-selected IBM extension (row 0x7C)
  CHECK(to_utf8("\x1b$B|b\x1b(B", "ISO-2022-JP") == "髙");
  // JIS 0x2141 is read as FULLWIDTH TILDE like Windows and Thunderbird
  CHECK(to_utf8("\x1b$B!A\x1b(B", "ISO-2022-JP") == "～");
  // half-width katakana: ESC ( I and SO/SI
  CHECK(to_utf8("\x1b(I12\x1b(B", "ISO-2022-JP") == "ｱｲ");
  CHECK(to_utf8("a\x0e" "12\x0f" "b", "CP50222") == "aｱｲb");
  // ASCII and JIS-Roman around the Japanese text
  CHECK(to_utf8("abc\x1b$B$\"\x1b(Jxyz\x1b(B", "ISO-2022-JP") == "abcあxyz");
}

TEST_CASE("ISO-2022-JP-2 designations") {
  CHECK(to_utf8("\x1b.A\x1bNi", "ISO-2022-JP-2") == "é");
  CHECK(to_utf8("\x1b$(CGQ\x1b(B", "ISO-2022-JP-2") == "한");
}

TEST_CASE("broken ISO-2022-JP is replaced, never thrown") {
  CharsetResult r = decode_charset("\x1b$BF", "ISO-2022-JP");  // half a character
  CHECK(r.invalid_bytes);
  CHECK(r.text == "\xEF\xBF\xBD");
  r = decode_charset("\x1b$BF|\x1b(Bok\x1b$Zx", "ISO-2022-JP");  // unknown escape
  CHECK(r.invalid_bytes);
  CHECK(r.text.rfind("日ok", 0) == 0);
}

TEST_CASE("Shift_JIS labels are read as Windows-31J") {
  CHECK(to_utf8("\x93\xfa\x96\x7b\x8c\xea", "Shift_JIS") == "日本語");
  CHECK(to_utf8("\x87\x40\x87\x8a\x87\x56", "shift_jis") == "①㈱Ⅲ");
  CHECK(to_utf8("\x81\x60", "x-sjis") == "～");
  CHECK(to_utf8("\xb1\xb2", "Windows-31J") == "ｱｲ");
}

TEST_CASE("EUC-JP with the Windows mapping") {
  CHECK(to_utf8("\xa4\xb3\xa4\xf3", "EUC-JP") == "こん");
  CHECK(to_utf8("\xa1\xc1", "euc-jp") == "～");
}

TEST_CASE("other charsets go through iconv") {
  CHECK(to_utf8("caf\xe9", "ISO-8859-1") == "café");
  CHECK(to_utf8("\x80", "windows-1252") == "€");
  CHECK(to_utf8("\xa4", "ISO-8859-15") == "€");
  CHECK(to_utf8("\xd0\xd1", "koi8-r") == "пя");
  CHECK(to_utf8("plain", "US-ASCII") == "plain");
}

TEST_CASE("a missing, unknown or wrong label is sniffed") {
  CharsetResult r = decode_charset("\x93\xfa\x96\x7b\x8c\xea", "");
  CHECK(r.text == "日本語");
  CHECK(r.used == "cp932");
  r = decode_charset("\xe6\x97\xa5\xe6\x9c\xac", "");
  CHECK(r.text == "日本");
  CHECK(r.used == "utf-8");
  r = decode_charset("\x1b$BF|K\\\x1b(B", "");
  CHECK(r.text == "日本");
  r = decode_charset("\x1b$BF|K\\\x1b(B", "us-ascii");
  CHECK(r.text == "日本");
  CHECK(r.label_mismatch);
  r = decode_charset("\x93\xfa\x96\x7b\x8c\xea", "utf-8");  // Shift_JIS labelled UTF-8
  CHECK(r.text == "日本語");
  CHECK(r.label_mismatch);
  r = decode_charset("\xe6\x97\xa5\xe6\x9c\xac", "iso-2022-jp");  // UTF-8 labelled JIS
  CHECK(r.text == "日本");
  CHECK(r.label_mismatch);
  r = decode_charset("\x93\xfa\x96\x7b", "x-no-such-charset");
  CHECK(r.unknown_label);
  CHECK(r.text == "日本");
  r = decode_charset("\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf", "");  // こんにちは in EUC-JP
  CHECK(r.text == "こんにちは");
  CHECK(r.used == "euc-jp");
}

TEST_CASE("invalid bytes become U+FFFD") {
  CharsetResult r = decode_charset("abc\xff", "utf-8");
  CHECK(r.invalid_bytes);
  CHECK(r.text == "abc\xEF\xBF\xBD");
  r = decode_charset("\x93", "shift_jis");  // truncated lead byte
  CHECK(r.invalid_bytes);
  CHECK(is_valid_utf8(r.text));
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong
  CHECK(is_valid_utf8("日本"));
}

TEST_CASE("sniffing does not turn Latin-1 into Japanese") {
  CharsetResult r = decode_charset("Fr\xf6sche \xfc" "ber", "");
  CHECK(r.text == "Frösche über");
  CHECK(r.used == "windows-1252");
  r = decode_charset("\xb4!", "");  // one byte that CP932 would call half-width kana
  CHECK(r.used == "windows-1252");
  // A truncated UTF-8 character at the end of otherwise valid UTF-8 stays UTF-8.
  r = decode_charset("\xd0\xae\xd0\xbd\xd0\xb8\xd0", "");
  CHECK(r.used == "utf-8");
  CHECK(r.text == "Юни\xEF\xBF\xBD");
}

TEST_CASE("EUC-JP carries the NEC extensions too") {
  CHECK(to_utf8("\xad\xa1\xad\xea", "EUC-JP") == "①㈱");
}
