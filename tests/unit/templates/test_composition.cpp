// Composition round trips: the raw bytes madoguchi sends, read back by madoguchi's own parser
// and by Python's email package, give the subject and text that were rendered; ISO-2022-JP
// falls back to UTF-8 rather than lose a character; quoted-printable; header injection through
// a rendered subject; `check_templates` errors; the committed samples are current.
#include <doctest/doctest.h>

#include "parsers/parsed_mail.h"
#include "python_email.h"
#include "templates/message.h"
#include "templates/sample_mail.h"
#include "templates/template_set.h"
#include "templates/variables.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

using namespace madoguchi::templates;

namespace {

std::filesystem::path source_templates() {
  return std::filesystem::path(MADOGUCHI_SOURCE_DIR) / "templates";
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// JIS X 0208 has one code for each of these pairs; madoguchi's reader (CP932, as Windows
// clients) gives the first, Python's iso-2022-jp codec the second. Same character to a reader.
std::string fold_jis_twins(std::string s) {
  const std::pair<std::string, std::string> twins[] = {
      {"～", "〜"}, {"∥", "‖"}, {"－", "−"}, {"￠", "¢"}, {"￡", "£"}, {"￢", "¬"}};
  for (const auto& [a, b] : twins)
    for (auto pos = s.find(a); pos != std::string::npos; pos = s.find(a, pos)) s.replace(pos, a.size(), b);
  return s;
}

std::string lf(std::string s) {
  std::string out;
  for (char c : s)
    if (c != '\r') out += c;
  return out;
}

// Python's email package (policy=default) on `raw`: "subject\n\x01\nbody".
std::string python_reads(const std::string& raw) {
  return python_on_mail(raw, std::string("import sys,email,email.policy\n"
                  "m=email.message_from_bytes(open(sys.argv[1],\"rb\").read(),policy=email.policy.default)\n"
                  "sys.stdout.buffer.write((str(m[\"subject\"])+\"\\n\\x01\\n\"+m.get_content()).encode())"));
}

OutgoingMessage acknowledgement(BodyEncoding enc, const Values& values) {
  madoguchi::rules::ConfigErrors errors;
  auto set = TemplateSet::load(source_templates(), errors);
  REQUIRE(set);
  const RenderedMail r = set->render("ack_queued", values);
  REQUIRE(r.ok);
  OutgoingMessage m;
  m.from_name = "PassLogic クラウド版 サポート窓口";
  m.from_address = "support@passlogic.example.jp";
  m.to_name = "山田 太郎";
  m.to_address = "yamada@example.co.jp";
  m.reply_to = m.from_address;
  m.subject = r.subject;
  m.body = r.body;
  m.message_id = "mg.MG-000123.1@passlogic.example.jp";
  m.in_reply_to = "orig.1@example.co.jp";
  m.references = {"orig.1@example.co.jp"};
  m.auto_submitted = "auto-replied";
  m.date = std::chrono::sys_seconds{std::chrono::seconds{1795266900}};
  m.encoding = enc;
  return m;
}

}  // namespace

TEST_CASE("ISO-2022-JP and UTF-8 acknowledgements parse back to the same subject and text") {
  Values v = sample_values();
  // A long subject (several encoded words) with the characters Windows clients write.
  v["original_subject"] = "【至急】ＶＰＮ接続時に認証画面が表示されない件（10:00～17:00 の間のみ発生）";
  for (BodyEncoding enc : {BodyEncoding::utf8_base64, BodyEncoding::utf8_quoted_printable,
                           BodyEncoding::iso2022jp}) {
    const OutgoingMessage m = acknowledgement(enc, v);
    BodyEncoding used{};
    const std::string raw = compose_message(m, &used);
    CAPTURE(static_cast<int>(enc));
    CHECK(used == enc);
    for (unsigned char c : raw) REQUIRE(c < 0x80);  // 7-bit: libcurl sends no 8BITMIME
    if (enc == BodyEncoding::iso2022jp) {
      CHECK(raw.find("Content-Type: text/plain; charset=ISO-2022-JP\r\n") != std::string::npos);
      CHECK(raw.find("Content-Transfer-Encoding: 7bit\r\n") != std::string::npos);
      CHECK(raw.find("Subject: =?ISO-2022-JP?B?") != std::string::npos);
    }
    CHECK(raw.find("\r\nAuto-Submitted: auto-replied\r\n") != std::string::npos);
    CHECK(raw.find("\r\nIn-Reply-To: <orig.1@example.co.jp>\r\n") != std::string::npos);

    // madoguchi's own parser
    const auto parsed = madoguchi::parsers::parse_mail(raw);
    CHECK(fold_jis_twins(parsed.subject) == fold_jis_twins(m.subject));
    CHECK(fold_jis_twins(lf(parsed.text)) == fold_jis_twins(m.body));
    CHECK(parsed.message_id == m.message_id);
    CHECK(parsed.auto_submitted == "auto-replied");
    REQUIRE(parsed.from.size() == 1);
    CHECK(parsed.from[0].name == m.from_name);
    REQUIRE(parsed.reply_to.size() == 1);
    CHECK(parsed.reply_to[0].address == "support@passlogic.example.jp");

    // Python's email package
    const std::string py = python_reads(raw);
    const auto sep = py.find("\n\x01\n");
    REQUIRE(sep != std::string::npos);
    CHECK(fold_jis_twins(py.substr(0, sep)) == fold_jis_twins(m.subject));
    CHECK(fold_jis_twins(lf(py.substr(sep + 3))) == fold_jis_twins(m.body));
  }
}

TEST_CASE("ISO-2022-JP: a character outside JIS X 0208 sends the mail in UTF-8, never a '?'") {
  for (const char* s : {"①の手順", "㈱サンプル", "髙橋様", "ｶﾀｶﾅ", "絵文字😀"}) {
    CAPTURE(s);
    CHECK_FALSE(to_iso2022jp(s));
    OutgoingMessage m = acknowledgement(BodyEncoding::iso2022jp, sample_values());
    m.body += s;
    BodyEncoding used{};
    const std::string raw = compose_message(m, &used);
    CHECK(used == BodyEncoding::utf8_base64);
    CHECK(raw.find("charset=UTF-8") != std::string::npos);
    CHECK(madoguchi::parsers::parse_mail(raw).text.find(s) != std::string::npos);
  }
  // A subject alone can force it too: the whole mail is in one charset.
  OutgoingMessage m = acknowledgement(BodyEncoding::iso2022jp, sample_values());
  m.subject += "①";
  BodyEncoding used{};
  compose_message(m, &used);
  CHECK(used == BodyEncoding::utf8_base64);
  // Windows forms are mapped, not refused.
  CHECK(to_iso2022jp("10:00～17:00－∥").has_value());
}

TEST_CASE("ISO-2022-JP encoded words: whole characters, each word back in ASCII, at most 75") {
  const std::string subject(
      "【保守ID：ＬＸ－２０２５－００４２】管理コンソールの表示について、至急ご確認ください");
  const auto enc = encode_header_text_iso2022jp(subject);
  REQUIRE(enc);
  std::size_t words = 0;
  std::size_t pos = 0;
  while ((pos = enc->find("=?ISO-2022-JP?B?", pos)) != std::string::npos) {
    const auto end = enc->find("?=", pos + 16);
    REQUIRE(end != std::string::npos);
    CHECK(end + 2 - pos <= 75);
    pos = end + 2;
    ++words;
  }
  CHECK(words > 2);
  const std::string back = madoguchi::parsers::parse_mail("Subject: " + *enc + "\r\n\r\nx\r\n").subject;
  CHECK(back == subject);
}

TEST_CASE("quoted-printable: soft breaks at 76, '=' and trailing space escaped, UTF-8 intact") {
  const std::string text = std::string(100, 'a') + " =x \r\n" + "日本語のテキスト、とても長い行です。" +
                           "日本語のテキスト、とても長い行です。\r\n";
  const std::string qp = quoted_printable(text);
  std::size_t start = 0;
  while (start < qp.size()) {
    auto end = qp.find("\r\n", start);
    if (end == std::string::npos) end = qp.size();
    CHECK(end - start <= 76);
    start = end + 2;
  }
  CHECK(qp.find("=3Dx=20\r\n") != std::string::npos);
  OutgoingMessage m;
  m.from_address = "s@example.jp";
  m.to_address = "c@example.jp";
  m.subject = "qp";
  m.message_id = "q@example.jp";
  m.body = text;
  m.encoding = BodyEncoding::utf8_quoted_printable;
  CHECK(lf(madoguchi::parsers::parse_mail(compose_message(m)).text) == lf(text));
}

TEST_CASE("a customer's subject with CR/LF rendered into our subject cannot add a header") {
  Values v = sample_values();
  v["original_subject"] = "件名\r\nBcc: victim@example.com\r\n\r\n本文の乗っ取り";
  v["customer_name"] = "悪意\nReply-To: evil@example.com";
  for (BodyEncoding enc : {BodyEncoding::utf8_base64, BodyEncoding::iso2022jp}) {
    OutgoingMessage m = acknowledgement(enc, v);
    m.to_name = v["customer_name"];
    m.to_address = "c@example.jp>, victim2@example.com";
    m.references = {"a@b>\r\nBcc: v3@example.com"};
    const std::string raw = compose_message(m);
    const auto parsed = madoguchi::parsers::parse_mail(raw);
    for (const auto& h : parsed.headers) {
      CHECK(h.name != "Bcc");
      CHECK(!(h.name == "Reply-To" && h.value.find("evil") != std::string::npos));
    }
    CHECK(parsed.header("Bcc") == nullptr);
    REQUIRE(parsed.to.size() == 1);  // the "," did not add a recipient
    REQUIRE(parsed.reply_to.size() == 1);
    CHECK(parsed.reply_to[0].address == "support@passlogic.example.jp");
    CHECK(parsed.subject.find("Bcc: victim@example.com") != std::string::npos);  // kept as text
    const std::string py = python_reads(raw);
    CHECK(py.find("\n\x01\n") != std::string::npos);
  }
}

TEST_CASE("check_templates: unknown variable with its line, syntax error, missing template") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("madoguchi-tmpl-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const auto& entry : std::filesystem::directory_iterator(source_templates()))
    if (entry.path().extension() == ".mustache")
      std::filesystem::copy_file(entry.path(), dir / entry.path().filename(),
                                 std::filesystem::copy_options::overwrite_existing);
  CHECK(check_templates(dir).empty());
  std::ofstream(dir / "ack_received.mustache") << "Subject: {{ticket_tag}} 受付\n\n{{customer_name}} 様\n{{dua_at}}までに\n";
  std::ofstream(dir / "auto_closed.mustache") << "Subject: x\n\n{{#open}} never closed\n";
  std::filesystem::remove(dir / "purchase_notice.mustache");
  const auto errors = check_templates(dir, {"passlogic_ack"});
  std::string all;
  for (const auto& e : errors) all += e.to_string() + "\n";
  CAPTURE(all);
  CHECK(all.find("ack_received.mustache:4: unknown template variable 'dua_at'") != std::string::npos);
  // Syntax errors are placed at file:line:column (kainjow gives an offset into the body) and
  // reported once: loading the set after the check does not report them again.
  CHECK(all.find("auto_closed.mustache:3:1: template syntax") != std::string::npos);
  madoguchi::rules::ConfigErrors load_errors;
  CHECK(TemplateSet::load(dir, load_errors) != nullptr);
  CHECK(load_errors.empty());
  std::ofstream(dir / "auto_closed.mustache") << "Subject: x\n\n本文です。\n次の行 {{ticket_tag\n";
  std::string again;
  for (const auto& e : check_templates(dir, {"passlogic_ack"})) again += e.to_string() + "\n";
  CAPTURE(again);
  CHECK(again.find("auto_closed.mustache:4:5: template syntax") != std::string::npos);
  CHECK(all.find("template 'purchase_notice' is missing") != std::string::npos);
  CHECK(all.find("template 'passlogic_ack' is missing") != std::string::npos);
  CHECK(all.find("auto_closed.mustache:3: unknown template variable 'open'") != std::string::npos);
  CHECK(errors.size() == 5);
  std::filesystem::remove_all(dir);
}

TEST_CASE("templates/samples/ is what the templates render (regenerate: see templates/README.md)") {
  madoguchi::rules::ConfigErrors errors;
  auto set = TemplateSet::load(source_templates(), errors);
  REQUIRE(set);
  const auto samples = render_samples(*set);
  CHECK(samples.size() == template_names().size() + 2);
  for (const auto& [name, text] : samples) {
    INFO("templates/samples/" << name << " is stale: run madoguchi-render-samples");
    CHECK(read_file(source_templates() / "samples" / name) == text);
  }
}
