// Composition of outgoing mail: encoded words never split a character, no header
// injection from customer text, and every shipped template renders with the values the
// pipeline supplies.
#include <doctest/doctest.h>

#include "templates/message.h"
#include "templates/template_set.h"
#include "templates/variables.h"

#include <fstream>
#include <regex>
#include <set>

using namespace madoguchi::templates;

namespace {
std::string b64decode(const std::string& in) {
  static const std::string chars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  for (char c : in) {
    auto pos = chars.find(c);
    if (pos == std::string::npos) continue;
    val = (val << 6) + static_cast<int>(pos);
    bits += 6;
    if (bits >= 0) {
      out += static_cast<char>((val >> bits) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += len;
  }
  return true;
}
}  // namespace

TEST_CASE("encode_header_text: ASCII stays, Japanese is B-encoded in whole characters") {
  CHECK(encode_header_text("plain subject") == "plain subject");
  const std::string jp = "【保守ID：ＬＸ－２０２５－００４２】管理コンソールの表示について、至急ご確認ください";
  const std::string enc = encode_header_text(jp);
  std::regex word("=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]+)\\?=");
  std::string joined;
  int words = 0;
  for (std::sregex_iterator it(enc.begin(), enc.end(), word), end; it != end; ++it) {
    const std::string part = b64decode((*it)[1]);
    CHECK(valid_utf8(part));  // no character split across words
    CHECK(it->length() <= 75);
    joined += part;
    ++words;
  }
  CHECK(words > 1);
  CHECK(joined == jp);
  CHECK(encode_header_text("=?UTF-8?B?x?=").find("=?UTF-8?B?") == 0);  // encoded, not passed through
}

TEST_CASE("CR/LF in customer-supplied values cannot create a header") {
  OutgoingMessage m;
  m.from_address = "support@example.jp";
  m.to_name = "evil\r\nBcc: victim@example.com";
  m.to_address = "a@example.jp\r\nBcc: victim2@example.com";
  m.subject = "hello\r\nBcc: victim3@example.com";
  m.message_id = "id@example.jp";
  m.in_reply_to = "x@y\nBcc: v4@example.com";
  m.body = "本文";
  const std::string raw = compose_message(m);
  const std::string head = raw.substr(0, raw.find("\r\n\r\n"));
  std::size_t pos = 0;
  while ((pos = head.find("\r\n", pos)) != std::string::npos) {
    pos += 2;
    // every header line starts a known field or is a folded continuation
    CHECK((head[pos] == ' ' || head.compare(pos, 4, "Bcc:") != 0));
  }
  CHECK(head.find("\r\nBcc:") == std::string::npos);
  CHECK(head.find("\nBcc:") == std::string::npos);
}

TEST_CASE("compose_message: headers, base64 UTF-8 body with CRLF, Japan time") {
  OutgoingMessage m;
  m.from_name = "サポート窓口";
  m.from_address = "support@example.jp";
  m.to_address = "taro@example.co.jp";
  m.subject = "[#MG-000001] 受付";
  m.body = "一行目\n二行目\n";
  m.message_id = "mg.1@example.jp";
  m.in_reply_to = "orig@example.co.jp";
  m.references = {"a@x", "orig@example.co.jp"};
  m.auto_submitted = "auto-replied";
  m.date = std::chrono::sys_seconds{std::chrono::seconds{1795000000}};
  const std::string raw = compose_message(m);
  CHECK(raw.find("Date: ") == 0);
  CHECK(raw.find("+0900\r\n") != std::string::npos);
  CHECK(raw.find("Auto-Submitted: auto-replied\r\n") != std::string::npos);
  CHECK(raw.find("In-Reply-To: <orig@example.co.jp>\r\n") != std::string::npos);
  CHECK(raw.find("References: <a@x>\r\n <orig@example.co.jp>\r\n") != std::string::npos);
  const auto body_at = raw.find("\r\n\r\n");
  REQUIRE(body_at != std::string::npos);
  CHECK(b64decode(raw.substr(body_at + 4)) == "一行目\r\n二行目\r\n");
  for (unsigned char c : raw) CHECK(c < 0x80);  // 7-bit clean: no 8BITMIME needed
}

TEST_CASE("rfc5322_date is Japan time") {
  // 2026-11-22T03:00:00Z = 12:00 JST, a Sunday
  const auto t = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + std::chrono::hours(3);
  CHECK(rfc5322_date(std::chrono::time_point_cast<std::chrono::seconds>(t)) ==
        "Sun, 22 Nov 2026 12:00:00 +0900");
}

TEST_CASE("split_mail_template") {
  MailTemplateText t;
  std::string err;
  CHECK(split_mail_template("Subject: {{ticket_tag}} 受付\n\n本文\n", t, err));
  CHECK(t.subject == "{{ticket_tag}} 受付");
  CHECK(t.body == "本文\n");
  CHECK_FALSE(split_mail_template("本文だけ\n", t, err));
  CHECK_FALSE(split_mail_template("Subject: x\nno blank line\n", t, err));
}

TEST_CASE("every shipped template renders and uses only the known variables") {
  madoguchi::rules::ConfigErrors errors;
  auto set = TemplateSet::load(std::filesystem::path(MADOGUCHI_SOURCE_DIR) / "templates", errors);
  REQUIRE(set);
  for (const auto& e : errors) FAIL_CHECK(e.to_string());
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(set->dir())) {
    if (entry.path().extension() != ".mustache") continue;
    ++count;
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& v : template_variables(text)) {
      INFO(entry.path().filename().string() << " uses " << v);
      CHECK(is_known_variable(v));
    }
    Values values;
    for (const auto& k : known_variables()) values[std::string(k.name)] = "値";
    const auto r = set->render(entry.path().stem().string(), values);
    INFO(entry.path().filename().string());
    CHECK(r.ok);
    CHECK(r.body.find("{{") == std::string::npos);
    // Customer mail is addressed to a person (様) and polite (です・ます); staff mail is ours.
    if (entry.path().stem().string().rfind("staff_", 0) != 0 || entry.path().stem() == "staff_reply") {
      CHECK(r.body.find("様") != std::string::npos);
      CHECK((r.body.find("ます") != std::string::npos || r.body.find("です") != std::string::npos));
      CHECK(r.body.find("値") != std::string::npos);  // ticket number or desk is stated
    }
  }
  CHECK(count == static_cast<int>(template_names().size()));
  for (const auto& name : template_names()) CHECK_MESSAGE(set->has(name), name);
}
