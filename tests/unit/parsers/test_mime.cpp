// test_mime.cpp — header splitting, RFC 2231 parameters, multipart splitting, addresses,
// msg-ids and dates.
#include "parsers/address.h"
#include "parsers/date.h"
#include "parsers/mime.h"

#include <doctest/doctest.h>

using namespace madoguchi::parsers;

TEST_CASE("header fields are unfolded and the body found (CRLF and LF)") {
  HeaderBlock hb = split_header("Subject: a\r\n b\r\nX-Y:z\r\n\r\nbody\r\n");
  REQUIRE(hb.fields.size() == 2);
  CHECK(hb.fields[0].name == "Subject");
  CHECK(hb.fields[0].value == "a b");
  CHECK(hb.fields[1].value == "z");
  CHECK(hb.body == "body\r\n");
  hb = split_header("From nobody Mon\nA: 1\nnot a header\nmore");
  REQUIRE(hb.fields.size() == 1);
  CHECK(hb.missing_separator);
  CHECK(hb.body == "not a header\nmore");
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

TEST_CASE("multipart splitting") {
  std::string body =
      "preamble\r\n--b\r\npart1\r\n--b\r\n\r\npart2\r\n--bb\r\nstill2\r\n--b--\r\nepilogue";
  MultipartSplit s = split_multipart(body, "b", 100);
  CHECK(s.closed);
  REQUIRE(s.parts.size() == 2);
  CHECK(s.parts[0] == "part1");
  CHECK(s.parts[1] == "\r\npart2\r\n--bb\r\nstill2");
  s = split_multipart("--b\nx\n--b\ny", "b", 100);
  CHECK_FALSE(s.closed);
  REQUIRE(s.parts.size() == 2);
  CHECK(s.parts[1] == "y");
  s = split_multipart("--b\n1\n--b\n2\n--b\n3\n--b--\n", "b", 2);
  CHECK(s.truncated);
  CHECK(s.parts.size() == 2);
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
  HeaderBlock hb = split_header("\xEF\xBB\xBF" "From: a@b\n\nx");
  REQUIRE(hb.fields.size() == 1);
  CHECK(hb.fields[0].name == "From");
}
