// test_html_text.cpp — HTML bodies turned into readable text.
#include "parsers/html_text.h"

#include <doctest/doctest.h>

using namespace madoguchi::parsers;

TEST_CASE("tags dropped, blocks become lines, entities decoded") {
  CHECK(html_to_text("<div>a<br>b</div><p>c &amp; d&nbsp;&eacute;</p>") == "a\nb\n\nc & d é");
  CHECK(html_to_text("<script>alert(1)</script><style>x{}</style>ok") == "ok");
  CHECK(html_to_text("x<!-- hidden -->y") == "xy");
  CHECK(html_to_text("&#x65E5;&#26412;&bogus;") == "日本&bogus;");
  CHECK(html_to_text("<pre>a  b\n c</pre>") == "a  b\n c");
  CHECK(html_to_text("&&&&") == "&&&&");
  CHECK(html_to_text("<unterminated") == "");
}

TEST_CASE("meta charset") {
  CHECK(html_meta_charset("<meta charset=\"Shift_JIS\">") == "shift_jis");
  CHECK(html_meta_charset("<meta http-equiv=Content-Type content='text/html; charset=euc-jp'>") ==
        "euc-jp");
  CHECK(html_meta_charset("<p>none</p>") == "");
}
