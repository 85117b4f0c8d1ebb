// Attachments on outgoing mail (staff notices carry the customer's files): the composed
// multipart/mixed message read back by madoguchi's own parser and by Python's email package
// gives the text and every file byte for byte, with its Japanese name; names and types from
// a stranger's mail cannot break the header or name a path.
#include <doctest/doctest.h>

#include "parsers/parsed_mail.h"
#include "python_email.h"
#include "templates/message.h"
#include "templates/mime_parts.h"

#include <unistd.h>

#include <cstdio>

using namespace madoguchi::templates;

namespace {

OutgoingMessage notice(BodyEncoding enc) {
  OutgoingMessage m;
  m.from_name = "madoguchi";
  m.from_address = "support@passlogic.example.jp";
  m.to_address = "staff@passlogic.example.jp";
  m.subject = "[#MG-000123-abcdef] 新規チケット：ログインできません";
  m.body = "お客様の本文：\nログインできません。\n";
  m.message_id = "mg.MG-000123.n1@passlogic.example.jp";
  m.date = std::chrono::sys_seconds{std::chrono::seconds{1795266900}};
  m.encoding = enc;
  std::string binary;
  for (int i = 0; i < 1000; ++i) binary += static_cast<char>(i % 256);
  m.attachments = {{"エラー画面.png", "image/PNG", binary},
                   {"log.txt", "text/plain", "line 1\r\nline 2\r\n"}};
  return m;
}

// Python's email package: "name|type|size|sha-less bytes check" per attachment, one per line.
std::string python_attachments(const std::string& raw) {
  return python_on_mail(raw, std::string("import sys,email,email.policy\n"
                  "m=email.message_from_bytes(open(sys.argv[1],\"rb\").read(),policy=email.policy.default)\n"
                  "b=m.get_body((\"plain\",))\n"
                  "sys.stdout.buffer.write((b.get_content()+\"\\x01\\n\").encode())\n"
                  "for a in m.iter_attachments():\n"
                  "  sys.stdout.buffer.write((a.get_filename()+\"|\"+a.get_content_type()+\"|\"+"
                  "str(len(a.get_payload(decode=True)))+\"\\n\").encode())"));
}

}  // namespace

TEST_CASE("attachments: multipart/mixed parses back to the text and every file, in each body encoding") {
  for (BodyEncoding enc : {BodyEncoding::utf8_base64, BodyEncoding::utf8_quoted_printable, BodyEncoding::iso2022jp}) {
    CAPTURE(static_cast<int>(enc));
    const OutgoingMessage m = notice(enc);
    const std::string raw = compose_message(m);
    for (unsigned char c : raw) REQUIRE(c < 0x80);
    CHECK(raw.find("Content-Type: multipart/mixed; boundary=\"=_mg_") != std::string::npos);
    const auto parsed = madoguchi::parsers::parse_mail(raw);
    CHECK(parsed.text.find("ログインできません。") != std::string::npos);
    REQUIRE(parsed.attachments.size() == 2);
    CHECK(parsed.attachments[0].filename == "エラー画面.png");
    CHECK(parsed.attachments[0].content_type == "image/png");
    CHECK(parsed.attachments[0].content == m.attachments[0].content);
    CHECK(parsed.attachments[1].filename == "log.txt");
    CHECK(parsed.attachments[1].content == m.attachments[1].content);
    const std::string py = python_attachments(raw);
    CHECK(py.find("ログインできません。") != std::string::npos);
    CHECK(py.find("エラー画面.png|image/png|1000\n") != std::string::npos);
    CHECK(py.find("log.txt|text/plain|16\n") != std::string::npos);
  }
}

TEST_CASE("attachments: none gives the single-part text mail as before") {
  OutgoingMessage m = notice(BodyEncoding::utf8_base64);
  m.attachments.clear();
  const std::string raw = compose_message(m);
  CHECK(raw.find("multipart") == std::string::npos);
  CHECK(raw.find("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n") !=
        std::string::npos);
}

TEST_CASE("attachments: a stranger's name and type cannot add a header or name a path") {
  CHECK(mime::safe_filename("../../etc/passwd") == "etcpasswd");
  CHECK(mime::safe_filename("a\r\nBcc: x@evil.example\".txt") == "aBcc x@evil.example.txt");
  CHECK(mime::safe_filename("") == "attachment");
  CHECK(mime::safe_filename("...") == "attachment");
  CHECK(mime::safe_filename(std::string(300, 'x')).size() == mime::kMaxFilenameBytes);
  const std::string cut = mime::safe_filename(std::string(300, 'x') + "あ");
  CHECK(cut.size() <= mime::kMaxFilenameBytes);
  std::string long_kana;
  for (int i = 0; i < 100; ++i) long_kana += "あ";
  const std::string kana = mime::safe_filename(long_kana);
  CHECK(kana.size() == 120);  // 40 whole characters, never half of one
  CHECK(mime::safe_content_type("text/plain") == "text/plain");
  CHECK(mime::safe_content_type("Image/PNG") == "image/png");
  CHECK(mime::safe_content_type("text/html\r\nBcc: x") == "application/octet-stream");
  CHECK(mime::safe_content_type("text/plain; charset=utf-8") == "application/octet-stream");
  CHECK(mime::safe_content_type("nonsense") == "application/octet-stream");

  OutgoingMessage m = notice(BodyEncoding::utf8_base64);
  m.attachments = {{"x\r\nBcc: victim@example.com", "text/plain\r\nBcc: victim@example.com", "data"}};
  const std::string raw = compose_message(m);
  CHECK(raw.find("\r\nBcc:") == std::string::npos);
  const auto parsed = madoguchi::parsers::parse_mail(raw);
  REQUIRE(parsed.attachments.size() == 1);
  CHECK(parsed.attachments[0].content == "data");
}

TEST_CASE("attachments: the boundary never occurs in the text, even when the text carries it") {
  OutgoingMessage m = notice(BodyEncoding::iso2022jp);  // 7bit: the text is as written
  const std::string first = mime::boundary(m.message_id, {});
  m.body = "ASCII text quoting our own boundary:\n--" + first + "\n--" + first + "--\n";
  const std::string raw = compose_message(m);
  const auto parsed = madoguchi::parsers::parse_mail(raw);
  REQUIRE(parsed.attachments.size() == 2);
  CHECK(parsed.text.find(first) != std::string::npos);
  CHECK(mime::boundary(m.message_id, {first}) != first);
}
