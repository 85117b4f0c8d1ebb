// test_transfer_encoding.cpp — base64 and quoted-printable as broken mailers write them.
#include "parsers/transfer_encoding.h"

#include <doctest/doctest.h>

using namespace madoguchi::parsers;

TEST_CASE("base64") {
  bool damaged = false;
  CHECK(decode_base64("SGVsbG8=", &damaged) == "Hello");
  CHECK_FALSE(damaged);
  CHECK(decode_base64("SGVs\r\nbG8", &damaged) == "Hello");  // no padding, odd line length
  CHECK_FALSE(damaged);
  CHECK(decode_base64("SGVsbA==SGVsbA==") == "HellHell");  // concatenated padded chunks
  CHECK(decode_base64("SGV$sbG8=", &damaged) == "Hello");
  CHECK(damaged);
  damaged = false;
  CHECK(decode_base64("SGVsbG8=S", &damaged) == "Hello");  // lone trailing sextet
  CHECK(damaged);
  CHECK(decode_base64("") == "");
}

TEST_CASE("quoted-printable") {
  bool damaged = false;
  CHECK(decode_quoted_printable("caf=C3=A9=\r\nlait", &damaged) == "caf\xC3\xA9lait");
  CHECK_FALSE(damaged);
  CHECK(decode_quoted_printable("soft=  \nbreak") == "softbreak");
  CHECK(decode_quoted_printable("=e3=81=82") == "あ");
  CHECK(decode_quoted_printable("abc  \r\ndef") == "abc\r\ndef");
  CHECK(decode_quoted_printable("a=ZZb", &damaged) == "a=ZZb");
  CHECK(damaged);
  CHECK(decode_quoted_printable("end=") == "end");
  CHECK(decode_quoted_printable("a_b=20c", nullptr, true) == "a b c");
}

TEST_CASE("transfer encoding dispatch") {
  CHECK(decode_transfer("SGk=", "base64") == "Hi");
  CHECK(decode_transfer("=41", "quoted-printable") == "A");
  CHECK(decode_transfer("=41", "8bit") == "=41");
  bool damaged = false;
  CHECK(decode_transfer("x", "x-strange", &damaged) == "x");
  CHECK(damaged);
}
