// test_mail_parser.cpp — parse_mail() end to end on hand-made mails: body choice, attachments,
// nested messages, DSNs, warnings and the limits.
#include "parsers/parsed_mail.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>

using namespace madoguchi::parsers;

namespace {

bool has_warning(const ParsedMail& m, WarningCode c) {
  return std::any_of(m.warnings.begin(), m.warnings.end(),
                     [c](const Warning& w) { return w.code == c; });
}

}  // namespace

TEST_CASE("a Japanese ISO-2022-JP mail with the Microsoft extensions") {
  std::string raw =
      "From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.co.jp>\r\n"
      "To: support@example.jp, \"Sato\" <sato@example.jp>\r\n"
      "Subject: =?ISO-2022-JP?B?GyRCLSEtahsoQg==?=\r\n"
      "Date: Wed, 22 Jul 2015 01:02:29 +0900\r\n"
      "Message-ID: <abc@example.co.jp>\r\n"
      "In-Reply-To: <x@y>\r\n"
      "References: <w@y> <x@y>\r\n"
      "Auto-Submitted: Auto-Replied (vacation)\r\n"
      "Return-Path: <>\r\n"
      "Content-Type: text/plain; charset=ISO-2022-JP\r\n"
      "\r\n"
      "\x1b$B-!-j-7\x1b(B\r\n";
  ParsedMail m = parse_mail(raw);
  CHECK(m.subject == "①㈱");
  REQUIRE(m.from.size() == 1);
  CHECK(m.from[0].name == "山田");
  CHECK(m.from[0].address == "yamada@example.co.jp");
  CHECK(m.to.size() == 2);
  CHECK(m.message_id == "abc@example.co.jp");
  CHECK(m.in_reply_to == "x@y");
  CHECK(m.references == std::vector<std::string>{"w@y", "x@y"});
  CHECK(m.auto_submitted == "auto-replied");
  REQUIRE(m.return_path);
  CHECK(m.return_path->empty());
  CHECK(m.date_utc.has_value());
  CHECK(m.text == "①㈱Ⅲ\n");
  CHECK(m.warnings.empty());
  REQUIRE(m.header("subject"));
  CHECK(m.header("subject")->value == "①㈱");
}

TEST_CASE("multipart/alternative prefers text/plain, html-only is converted") {
  std::string raw =
      "Content-Type: multipart/alternative; boundary=\"XX\"\n\n"
      "--XX\nContent-Type: text/html; charset=utf-8\n\n<p>html</p>\n"
      "--XX\nContent-Type: text/plain; charset=shift_jis\nContent-Transfer-Encoding: base64\n\n"
      "k/qWe4zq\n--XX--\n";
  ParsedMail m = parse_mail(raw);
  CHECK(m.text == "日本語");
  CHECK(m.root.children.size() == 2);
  std::string html =
      "Content-Type: text/html\n\n<html><head><title>t</title><style>p{}</style></head>"
      "<body><p>Hello&nbsp;&amp; <b>world</b></p><p>&#26085;&#x672c;</p></body></html>";
  m = parse_mail(html);
  CHECK(m.text == "Hello & world\n\n日本");
}

TEST_CASE("attachments with RFC 2231 names and a nested message") {
  std::string raw =
      "Subject: outer\n"
      "Content-Type: multipart/mixed; boundary=b1\n\n"
      "--b1\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
      "=E6=97=A5=E6=9C=AC\n"
      "--b1\nContent-Type: application/octet-stream\n"
      "Content-Disposition: attachment; filename*0*=UTF-8''%E8%A6%8B%E7%A9%8D; filename*1=.pdf\n"
      "Content-Transfer-Encoding: base64\n\nSGVsbG8=\n"
      "--b1\nContent-Type: message/rfc822\n\n"
      "Subject: inner\nMessage-ID: <inner@x>\n\ninner text\n"
      "--b1--\n";
  ParsedMail m = parse_mail(raw);
  CHECK(m.subject == "outer");
  CHECK(m.text == "日本");
  REQUIRE(m.attachments.size() == 2);
  CHECK(m.attachments[0].filename == "見積.pdf");
  CHECK(m.attachments[0].content_type == "application/octet-stream");
  CHECK(m.attachments[0].size == 5);
  CHECK(m.attachments[0].content == "Hello");
  CHECK(m.attachments[1].content_type == "message/rfc822");
  CHECK(m.attachments[1].filename == "inner.eml");
  REQUIRE(m.root.children.size() == 3);
  REQUIRE(m.root.children[2].children.size() == 1);
  CHECK(m.root.children[2].children[0].content_type == "text/plain");
  ParseOptions no_content;
  no_content.keep_attachment_content = false;
  m = parse_mail(raw, no_content);
  CHECK(m.attachments[0].content.empty());
  CHECK(m.attachments[0].size == 5);
}

TEST_CASE("delivery status notifications") {
  std::string raw =
      "From: MAILER-DAEMON@example.jp\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
      "--r\nContent-Type: text/plain\n\nDelivery failed.\n"
      "--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
      "Final-Recipient: rfc822; a@b\nAction: failed\nStatus: 5.1.1\n"
      "--r\nContent-Type: text/rfc822-headers\n\nMessage-ID: <orig@madoguchi>\nSubject: x\n"
      "--r--\n";
  ParsedMail m = parse_mail(raw);
  CHECK(m.is_delivery_status);
  CHECK(m.dsn_original_message_id == "orig@madoguchi");
  CHECK(m.text == "Delivery failed.");
  ParsedMail plain = parse_mail("Subject: x\n\nbody");
  CHECK_FALSE(plain.is_delivery_status);
}

TEST_CASE("limits produce warnings and a best-effort result") {
  std::string many = "Content-Type: multipart/mixed; boundary=b\n\n";
  for (int i = 0; i < 50; ++i) many += "--b\n\npart\n";
  many += "--b--\n";
  ParseOptions o;
  o.max_parts = 10;
  ParsedMail m = parse_mail(many, o);
  CHECK(has_warning(m, WarningCode::too_many_parts));
  CHECK(m.root.children.size() <= 10);

  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "Content-Type: message/rfc822\n\n";
  deep += "Subject: bottom\n\nx";
  m = parse_mail(deep);
  CHECK(has_warning(m, WarningCode::too_deep));

  o = {};
  o.max_message_bytes = 20;
  m = parse_mail("Subject: a long subject line\n\nbody", o);
  CHECK(has_warning(m, WarningCode::truncated_message));
}

TEST_CASE("broken mail yields warnings, not failures") {
  ParsedMail m = parse_mail("Content-Type: multipart/mixed\n\nno boundary\n");
  CHECK(has_warning(m, WarningCode::missing_boundary));
  CHECK(m.text == "no boundary\n");
  m = parse_mail("Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\nSGV$sbG8=");
  CHECK(has_warning(m, WarningCode::bad_transfer_encoding));
  CHECK(m.text == "Hello");
  m = parse_mail("Subject: \x93\xfa\x96\x7b\n\n");
  CHECK(m.subject == "日本");
  CHECK(has_warning(m, WarningCode::bad_header));
  m = parse_mail("Content-Type: image/png\n\n\x89PNG");
  CHECK(has_warning(m, WarningCode::no_text_body));
  m = parse_mail("");
  CHECK(m.text.empty());
  m = parse_mail("Content-Type: text/plain; charset=utf-8\n\nabc\xff");
  CHECK(has_warning(m, WarningCode::invalid_bytes));
  CHECK(m.text == "abc\xEF\xBF\xBD");
}

TEST_CASE("format=flowed is unwrapped, delsp=yes joins Japanese without spaces") {
  ParsedMail m = parse_mail(
      "Content-Type: text/plain; charset=utf-8; format=flowed\n\n"
      "This is a long \nline.\n> quoted \n> more\n-- \nsig\n");
  CHECK(m.text == "This is a long line.\n> quoted more\n-- \nsig\n");
  m = parse_mail(
      "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\n\n"
      "日本語の \n文章です。\n");
  CHECK(m.text == "日本語の文章です。\n");
  m = parse_mail("Content-Type: text/plain; charset=utf-8\n\nnot flowed \nhere\n");
  CHECK(m.text == "not flowed \nhere\n");
}

TEST_CASE("delsp=yes from a Western mailer keeps the space between words") {
  ParsedMail m = parse_mail(
      "Content-Type: text/plain; charset=iso-8859-1; format=flowed; delsp=yes\n"
      "Content-Transfer-Encoding: quoted-printable\n\n"
      "now there i=\ns=20\na test=20\nline\n");
  CHECK(m.text == "now there is a test line\n");
}

TEST_CASE("raw UTF-8 headers (RFC 6532) are not a warning") {
  ParsedMail m = parse_mail("Subject: 日本語\nFrom: 山田 <yamada@example.jp>\n\nx");
  CHECK(m.subject == "日本語");
  CHECK(m.from.at(0).name == "山田");
  CHECK(m.warnings.empty());
}

namespace {

std::size_t tree_depth(const Part& p) {
  std::size_t d = 0;
  for (const auto& c : p.children) d = std::max(d, tree_depth(c));
  return d + 1;
}

std::size_t tree_size(const Part& p) {
  std::size_t n = 1;
  for (const auto& c : p.children) n += tree_size(c);
  return n;
}

}  // namespace

TEST_CASE("the pre-scan cuts a mail with more \"--\" lines than max_parts before mimetic") {
  std::string mail = "Content-Type: multipart/mixed; boundary=b\n\n";
  for (int i = 0; i < 5000; ++i) mail += "--b\nContent-Type: text/plain\n\npart " + std::to_string(i) + "\n";
  mail += "--b--\n";
  ParseOptions o;
  o.max_parts = 50;
  ParsedMail m = parse_mail(mail, o);
  CHECK(has_warning(m, WarningCode::too_many_parts));
  CHECK(tree_size(m.root) <= 50);
  CHECK_FALSE(m.root.children.empty());
  CHECK(m.text.rfind("part 0\n", 0) == 0);
  // The cut multipart is open because of the cut, not because the mail is broken.
  for (const auto& w : m.warnings) CHECK(w.code != WarningCode::missing_boundary);
  // Plain text with a few times max_parts separator lines (a pasted log) is kept whole: the
  // pre-scan budget is a multiple of max_parts; far more than that is cut, still readable.
  std::string text = "Subject: s\n\nhead\n";
  for (int i = 0; i < 100; ++i) text += "----------\nline\n";
  m = parse_mail(text, o);
  CHECK_FALSE(has_warning(m, WarningCode::too_many_parts));
  CHECK(m.text == text.substr(text.find("head")));
  for (int i = 0; i < 1000; ++i) text += "----------\nline\n";
  m = parse_mail(text, o);
  CHECK(has_warning(m, WarningCode::too_many_parts));
  CHECK(m.text.rfind("head\n", 0) == 0);
  m = parse_mail(mail);  // the default limit (1000)
  CHECK(tree_size(m.root) <= 1000);
}

TEST_CASE("100,000 nested message/rfc822 levels return quickly and bounded") {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "Content-Type: message/rfc822\r\n\r\n";
  deep += "Subject: bottom\r\n\r\nx";
  auto start = std::chrono::steady_clock::now();
  ParsedMail m = parse_mail(deep);
  // A guard against a hang or quadratic time, not a speed measurement (bench/parse does that).
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  CHECK(has_warning(m, WarningCode::too_deep));
  CHECK(has_warning(m, WarningCode::too_many_parts));
  CHECK(tree_depth(m.root) <= ParseOptions{}.max_depth + 1);
  // Nested multiparts, and limits far above the defaults: mimetic's recursion stays bounded.
  std::string nested;
  for (int i = 0; i < 100000; ++i) {
    std::string b = "b" + std::to_string(i);
    nested += "Content-Type: multipart/mixed; boundary=" + b + "\n\n--" + b + "\n";
  }
  ParseOptions huge;
  huge.max_parts = 1000000;
  huge.max_depth = 100;
  m = parse_mail(nested, huge);
  CHECK(has_warning(m, WarningCode::too_deep));
  CHECK(tree_depth(m.root) <= 101);
}

TEST_CASE("a base64 or quoted-printable message/rfc822 attachment is read") {
  // Subject: 見積 / text/plain utf-8 "日本語の本文" in base64
  std::string raw =
      "Subject: fwd\nContent-Type: multipart/mixed; boundary=b\n\n"
      "--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"
      "U3ViamVjdDogPT9VVEYtOD9CPzZLYUw1Nm1OPz0KTWVzc2FnZS1JRDogPGlubmVyQHg+CkNv\n"
      "bnRlbnQtVHlwZTogdGV4dC9wbGFpbjsgY2hhcnNldD11dGYtOAoK5pel5pys6Kqe44Gu5pys\n"
      "5paHCg==\n"
      "--b--\n";
  ParsedMail m = parse_mail(raw);
  CHECK(m.subject == "fwd");
  CHECK(m.text == "日本語の本文\n");  // the attached message's text, the mail has none
  REQUIRE(m.attachments.size() == 1);
  CHECK(m.attachments[0].filename == "見積.eml");
  CHECK(m.attachments[0].content.rfind("Subject: =?UTF-8?B?", 0) == 0);
  REQUIRE(m.root.children.size() == 1);
  REQUIRE(m.root.children[0].children.size() == 1);
  CHECK(m.root.children[0].children[0].content_type == "text/plain");
  CHECK(m.warnings.empty());

  std::string qp =
      "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
      "--r\nContent-Type: text/plain\n\nundeliverable\n"
      "--r\nContent-Type: message/rfc822\nContent-Transfer-Encoding: quoted-printable\n\n"
      "Message-ID: <orig=40x>\nSubject: =3D?UTF-8?B?5pel5pys?=3D\n\nbody=\n text\n"
      "--r--\n";
  m = parse_mail(qp);
  CHECK(m.is_delivery_status);
  CHECK(m.dsn_original_message_id == "orig@x");
  REQUIRE(m.attachments.size() == 1);
  CHECK(m.attachments[0].filename == "日本.eml");
}

TEST_CASE("a multipart without boundary is read as text, its siblings kept") {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=outer\n\n"
      "--outer\nContent-Type: multipart/alternative\n\n"
      "first line\n-- \nsignature\n--not-a-delimiter\n"
      "--outer\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=a.pdf\n\n"
      "PDF\n--outer--\n";
  ParsedMail m = parse_mail(raw);
  CHECK(has_warning(m, WarningCode::missing_boundary));
  CHECK(m.text == "first line\n-- \nsignature\n--not-a-delimiter");
  REQUIRE(m.root.children.size() == 2);
  CHECK(m.root.children[0].children.empty());
  REQUIRE(m.attachments.size() == 1);
  CHECK(m.attachments[0].filename == "a.pdf");
  m = parse_mail("Content-Type: multipart/mixed; boundary=\"\"\n\n--\nx\n--\n");
  CHECK(has_warning(m, WarningCode::missing_boundary));
  CHECK(m.text == "--\nx\n--\n");
}

TEST_CASE("mimetic's structure quirks are repaired on our side") {
  // An unclosed inner multipart: mimetic dropped everything after it.
  ParsedMail m = parse_mail(
      "Content-Type: multipart/mixed; boundary=A\n\n"
      "--A\nContent-Type: multipart/alternative; boundary=B\n\n--B\n\ntext\n"
      "--A\nContent-Type: text/plain\nContent-Disposition: attachment; filename=b.txt\n\nB\n--A--\n");
  CHECK(m.text == "text");
  CHECK(m.attachments.size() == 1);
  CHECK(has_warning(m, WarningCode::missing_boundary));  // the inner one was never closed
  // Two delimiters in a row (an empty part), and a header without its blank line.
  m = parse_mail(
      "Content-Type: multipart/mixed; boundary=\"x:1\"\n\n"
      "--x:1\n--x:1\nContent-Type: text/plain\n\nsecond\n--x:1--\n");
  REQUIRE(m.root.children.size() == 2);
  CHECK(m.root.children[0].size == 0);
  CHECK(m.text == "second");
  m = parse_mail(
      "Content-Type: multipart/mixed; boundary=y\n \n--y\nContent-Type: text/plain\n\nfirst\n--y--\n");
  REQUIRE(m.root.children.size() == 1);
  CHECK(m.text == "first");
  // A delimiter that ends the mail is followed by an (empty) part, as RFC 2046 reads it.
  m = parse_mail("Content-Type: multipart/mixed; boundary=z\n\n--z\n\none\n--z");
  CHECK(m.root.children.size() == 2);
  // A type only we read as multipart (quoted) is split by mimetic too.
  m = parse_mail("Content-Type: \"multipart/mixed\"; boundary=q\n\n--q\n\nquoted\n--q--\n");
  CHECK(m.root.children.size() == 1);
  CHECK(m.text == "quoted");
  // A multipart/digest part without Content-Type is a message (mimetic: a leaf).
  m = parse_mail("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nfirst\n--d--\n");
  REQUIRE(m.attachments.size() == 1);
  CHECK(m.attachments[0].filename == "one.eml");
  CHECK(m.text == "first");
}
