// test_mime.cpp — the MIME structure from mimetic behind our bounds (header fields, parts,
// the quirks we repair), RFC 2231 parameters, addresses, msg-ids and dates.
#include "parsers/address.h"
#include "parsers/date.h"
#include "parsers/mime.h"

#include <doctest/doctest.h>

using namespace madoguchi::parsers;

TEST_CASE("header fields are unfolded and the body found (CRLF and LF)") {
  MimeTree t = parse_mime("Subject: a\r\n b\r\nX-Y:z\r\n\r\nbody\r\n", 10, 10);
  REQUIRE(t.root.fields.size() == 2);
  CHECK(t.root.fields[0].name == "Subject");
  CHECK(t.root.fields[0].value == "a b");
  CHECK(t.root.fields[1].value == "z");
  CHECK(t.root.kind == Entity::Kind::leaf);
  CHECK(t.root.body == "body\r\n");
  CHECK_FALSE(t.root.bad_header);
  t = parse_mime("From nobody Mon\nA: 1\nnot a header\nmore", 10, 10);
  REQUIRE(t.root.fields.size() == 1);
  CHECK(t.root.bad_header);
  CHECK(t.root.body == "not a header\nmore");
  // The Content-Type value is the raw one, not mimetic's re-serialisation of it.
  t = parse_mime("Content-Type: text/plain;\n\tname*0*=UTF-8''%E6%97%A5; name*1=\"a;b\"\n\nx", 10, 10);
  REQUIRE(t.root.fields.size() == 1);
  CHECK(t.root.fields[0].value == "text/plain; name*0*=UTF-8''%E6%97%A5; name*1=\"a;b\"");
  auto f = parse_header_fields("Message-ID: <a@b>\nSubject: s\n");
  REQUIRE(f.size() == 2);
  CHECK(f[0].value == "<a@b>");
}

TEST_CASE("RFC 2231 continuations and charset'lang' values") {
  StructuredValue v = parse_structured(
      "attachment; filename*0*=UTF-8''%E6%97%A5; filename*1*=%E6%9C%AC; filename*2=\".txt\"");
  CHECK(v.value == "attachment");
  REQUIRE(v.param("filename"));
  CHECK(*v.param("filename") == "日本.txt");
  v = parse_structured("application/pdf; name*=iso-2022-jp''%1B%24B%46%7C%1B%28B.pdf");
  CHECK(*v.param("name") == "日.pdf");
  v = parse_structured("message/external-body; access-type=URL; "
                       "title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
  CHECK(*v.param("title") == "This is ***fun***");
  // out-of-order continuations
  v = parse_structured("attachment; filename*1=\"b.txt\"; filename*0=\"a\"");
  CHECK(*v.param("filename") == "ab.txt");
  // encoded-word in a quoted value, raw Shift_JIS in a value
  v = parse_structured("attachment; filename=\"=?UTF-8?B?5pel5pys?=.txt\"");
  CHECK(*v.param("filename") == "日本.txt");
  v = parse_structured("attachment; filename=\"\x93\xfa\x96\x7b.xls\"");
  CHECK(*v.param("filename") == "日本.xls");
  v = parse_structured("Text/Plain; Charset=\"ISO-2022-JP\" (comment)");
  CHECK(v.value == "text/plain");
  CHECK(*v.param("charset") == "ISO-2022-JP");
}

TEST_CASE("multipart structure: preamble and epilogue ignored, delimiters at line starts") {
  std::string mail =
      "Content-Type: multipart/mixed; boundary=\"b;1\"\r\n\r\n"
      "preamble --b;1\r\n--b;1\r\n\r\npart1 --b;1\r\n--b;1\r\n\r\npart2\r\n--b;1--\r\nepilogue";
  MimeTree t = parse_mime(mail, 100, 10);
  REQUIRE(t.root.kind == Entity::Kind::multipart);
  CHECK(t.root.closed);
  REQUIRE(t.root.children.size() == 2);
  CHECK(t.root.children[0].body == "part1 --b;1");
  CHECK(t.root.children[1].body == "part2");
  // unclosed, and the last delimiter without a line break at the end
  t = parse_mime("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b\n\ny", 100, 10);
  CHECK_FALSE(t.root.closed);
  CHECK(t.root.open_at_end);
  REQUIRE(t.root.children.size() == 2);
  CHECK(t.root.children[1].body == "y");
  t = parse_mime("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--", 100, 10);
  CHECK(t.root.closed);
  REQUIRE(t.root.children.size() == 1);
  CHECK(t.root.children[0].body == "x");
}

TEST_CASE("an unclosed inner multipart ends at the outer delimiter, later parts kept") {
  std::string mail =
      "Content-Type: multipart/mixed; boundary=A\n\n"
      "--A\nContent-Type: multipart/alternative; boundary=B\n\n--B\n\ntext\n"
      "--A\nContent-Type: application/pdf\n\nPDF\n--A--\n";
  MimeTree t = parse_mime(mail, 100, 10);
  REQUIRE(t.root.children.size() == 2);
  const Entity& inner = t.root.children[0];
  CHECK(inner.kind == Entity::Kind::multipart);
  CHECK_FALSE(inner.closed);
  CHECK_FALSE(inner.open_at_end);
  REQUIRE(inner.children.size() == 1);
  CHECK(inner.children[0].body == "text");
  CHECK(t.root.children[1].body == "PDF");
  CHECK(t.root.closed);
}

TEST_CASE("a multipart without boundary is not split at every \"--\" line") {
  std::string mail =
      "Content-Type: multipart/mixed; boundary=A\n\n"
      "--A\nContent-Type: multipart/mixed\n\nhello\n-- \nsig\n"
      "--A\nContent-Type: text/plain\n\nsecond\n--A--\n";
  MimeTree t = parse_mime(mail, 100, 10);
  REQUIRE(t.root.children.size() == 2);
  const Entity& broken = t.root.children[0];
  CHECK(broken.kind == Entity::Kind::multipart);
  CHECK(broken.no_boundary);
  CHECK(broken.children.empty());
  CHECK(broken.body == "hello\n-- \nsig");
  CHECK(t.root.children[1].body == "second");
}

TEST_CASE("the entity bound: the input is cut before mimetic creates too many") {
  std::string mail = "Content-Type: multipart/mixed; boundary=b\n\n";
  for (int i = 0; i < 100; ++i) mail += "--b\n\npart\n";
  mail += "--b--\n";
  MimeTree t = parse_mime(mail, 10, 10);
  CHECK(t.cut);
  CHECK(t.entities <= 10);
  CHECK(t.root.children.size() <= 9);
  // "Name --b" where mimetic's header parser stops in mid-line, and a line so long that
  // mimetic checks its later segments as if they began a line, count too.
  t = parse_mime("Subject: s\nX --b\n\nbody\n", 1, 10);
  CHECK(t.cut);
  CHECK(t.root.fields.size() == 1);
  t = parse_mime("Subject: s\n\n" + std::string(5000, 'x') + "--b\n", 1, 10);
  CHECK(t.cut);
  t = parse_mime("Subject: s\n\n" + std::string(4000, 'x') + "--b\n", 1, 10);
  CHECK_FALSE(t.cut);
  // Nesting is capped whatever the entity limit: mimetic recurses once per level.
  std::string deep;
  for (int i = 0; i < 3000; ++i) deep += "Content-Type: message/rfc822\n\n";
  t = parse_mime(deep, 1000000, 10);
  CHECK(t.cut);
  CHECK(t.entities <= 2001);
  t = parse_mime(mail, 1000, 10);
  CHECK_FALSE(t.cut);
  CHECK(t.root.children.size() == 100);
}

TEST_CASE("address lists") {
  auto a = parse_address_list(
      "\"Last, First\" <a@b.jp>, =?UTF-8?B?5pel5pys?= <c@d.jp>, e@f.jp (Eee), "
      "team: g@h.jp, i@j.jp;, \x93\xfa\x96\x7b <k@l.jp>");
  REQUIRE(a.size() == 6);
  CHECK(a[0].name == "Last, First");
  CHECK(a[0].address == "a@b.jp");
  CHECK(a[1].name == "日本");
  CHECK(a[1].address == "c@d.jp");
  CHECK(a[2].name == "Eee");
  CHECK(a[2].address == "e@f.jp");
  CHECK(a[3].address == "g@h.jp");
  CHECK(a[4].address == "i@j.jp");
  CHECK(a[5].name == "日本");
  CHECK(parse_address_list("undisclosed-recipients:;").empty());
  auto ids = parse_msg_ids("<a@b> (comment)\r\n <c@d>,<e@f>");
  REQUIRE(ids.size() == 3);
  CHECK(ids[2] == "e@f");
}

TEST_CASE("RFC 5322 dates, including obsolete zones") {
  using namespace std::chrono;
  auto d = parse_rfc5322_date("Wed, 22 Jul 2015 01:02:29 +0900 (JST)");
  REQUIRE(d);
  CHECK(*d == sys_days{2015y / July / 21} + 16h + 2min + 29s);
  d = parse_rfc5322_date("22 Jul 15 01:02 EST");
  REQUIRE(d);
  CHECK(*d == sys_days{2015y / July / 22} + 6h + 2min);
  d = parse_rfc5322_date("Fri, 1 Jan 99 00:00:00 GMT");
  REQUIRE(d);
  CHECK(*d == sys_days{1999y / January / 1});
  d = parse_rfc5322_date("Mon, 1 Jan 2001 00:00:00 A");  // military: -0000
  REQUIRE(d);
  CHECK(*d == sys_days{2001y / January / 1});
  CHECK_FALSE(parse_rfc5322_date("garbage"));
  CHECK_FALSE(parse_rfc5322_date("31 Feb 2020 00:00:00 +0000"));
  CHECK_FALSE(parse_rfc5322_date("1 Jan 2020 25:00:00 +0000"));
}

TEST_CASE("a zone glued to the time and a BOM before the header") {
  using namespace std::chrono;
  auto d = parse_rfc5322_date("01 Jan 2001 00:01+0100");
  REQUIRE(d);
  CHECK(*d == sys_days{2000y / December / 31} + 23h + 1min);
  MimeTree t = parse_mime("\xEF\xBB\xBF" "From: a@b\n\nx", 10, 10);
  REQUIRE(t.root.fields.size() == 1);
  CHECK(t.root.fields[0].name == "From");
  t = parse_mime("\xEF\xBB\xBF" "From a@b Sat Jan  3 01:05:34 1996\nFrom: a@b\n\nx", 10, 10);
  REQUIRE(t.root.fields.size() == 1);
  CHECK(t.root.body == "x");
}
