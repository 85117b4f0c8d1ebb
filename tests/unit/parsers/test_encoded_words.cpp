// test_encoded_words.cpp — RFC 2047 words as Japanese mailers write them: split across words,
// split inside a character, in ISO-2022-JP with the CP932 extensions, raw 8-bit, malformed.
#include "parsers/encoded_words.h"

#include "parsers/charset.h"

#include <doctest/doctest.h>

using namespace madoguchi::parsers;

TEST_CASE("B and Q words, whitespace between adjacent words dropped") {
  CHECK(decode_header_text("=?ISO-2022-JP?B?GyRCRnxLXDhsJWEhPCVrJUYlOSVIGyhCICh0ZXN0aW5nIEph?= "
                           "=?ISO-2022-JP?B?cGFuZXNlIGVtYWlscyk=?=") ==
        "日本語メールテスト (testing Japanese emails)");
  CHECK(decode_header_text("=?utf-8?Q?caf=C3=A9_au_lait?=") == "café au lait");
  CHECK(decode_header_text("=?UTF-8?Q?a?= b") == "a b");
  CHECK(decode_header_text("Re: =?UTF-8?B?5pel5pys?=  =?UTF-8?B?6Kqe?=") == "Re: 日本語");
  CHECK(decode_header_text("=?UTF-8*ja?B?5pel?=") == "日");  // RFC 2231 language suffix
}

TEST_CASE("a multi-byte character split across words") {
  // あ = E3 81 82 split after two bytes
  CHECK(decode_header_text("=?UTF-8?B?44E=?= =?UTF-8?B?gg==?=") == "あ");
  // base64 split mid-quantum: "5pe" + "l5pys"
  CHECK(decode_header_text("=?UTF-8?B?5pe?= =?UTF-8?B?l5pys?=") == "日本");
  // an ISO-2022-JP escape sequence in one word, the characters in the next
  CHECK(decode_header_text("=?ISO-2022-JP?B?GyRC?= =?ISO-2022-JP?B?LSEtahsoQg==?=") == "①㈱");
  // Shift_JIS lead byte in one Q word, trail byte in the next
  CHECK(decode_header_text("=?Shift_JIS?Q?=93?= =?Shift_JIS?Q?=FA?=") == "日");
}

TEST_CASE("raw 8-bit and raw JIS header text is sniffed") {
  auto r = decode_encoded_words("\x93\xfa\x96\x7b");
  CHECK(r.text == "日本");
  CHECK(r.raw_8bit);
  CHECK(decode_header_text("Re: \x1b$BF|K\\\x1b(B") == "Re: 日本");
  CHECK(decode_header_text("\xe6\x97\xa5 =?UTF-8?B?5pys?=") == "日 本");
}

TEST_CASE("malformed words stay readable") {
  auto r = decode_encoded_words("=?UTF-8?B?###?= tail");
  CHECK(r.bad_word);
  CHECK(r.text == "=?UTF-8?B?###?= tail");
  CHECK(decode_header_text("=?UTF-8?B?abc") == "=?UTF-8?B?abc");
  CHECK(decode_header_text("a =? b ?= c") == "a =? b ?= c");
  CHECK(decode_header_text("=?X-UNKNOWN?B?5pel?=") == "日");  // sniffed as UTF-8
  CHECK(decode_header_text("") == "");
}

TEST_CASE("a malformed word with 8-bit bytes still yields valid UTF-8") {
  auto r = decode_encoded_words("=?UTF-8?B?0J\xd9\x0b?= x");  // found by the fuzzer
  CHECK(r.bad_word);
  CHECK(is_valid_utf8(r.text));
}
