// What a staff notice says of the customer's mail (service/staff_notice.h): the text with its
// quoted history and signature cut and a line saying so, the attachments attached up to the
// limit and listed beyond it with their ticket-wide numbers, and the Japanese words for the
// status, outcome and identity.
#include <doctest/doctest.h>

#include "daemon/service/staff_notice.h"

using namespace madoguchi::daemon;
using madoguchi::parsers::Attachment;
using madoguchi::parsers::ParsedMail;

namespace {

ParsedMail mail_with(std::string text, std::vector<Attachment> attachments = {}) {
  ParsedMail m;
  m.text = std::move(text);
  m.attachments = std::move(attachments);
  return m;
}

Attachment file(std::string name, std::size_t size) {
  return {std::move(name), "application/pdf", size, std::string(size, 'x')};
}

}  // namespace

TEST_CASE("staff notice: the customer's own words, the quote and signature cut, and a line saying so") {
  const auto c = customer_mail_content(
      mail_with("ログインできません。\n\n-- \n田中 一郎\nTEL 03-0000-0000\n\n"
                "2026年11月17日(火) 14:06 サポート <support@example.jp>:\n> 前回の回答\n"),
      "MG-000007", 1, 1024);
  CHECK(c.values.at("customer_text") == "ログインできません。");
  CHECK(c.values.at("text_note").find("省略しました。") != std::string::npos);
  const auto both = customer_mail_content(
      mail_with("再発しました。\n\n> 前回の回答\n\n━━━━━━━━━━\n株式会社さくら技研 情報システム部\n田中 一郎\nTEL 03-0000-0000\n"),
      "MG-000007", 1, 1024);
  CHECK(both.values.at("customer_text") == "再発しました。");
  CHECK(both.values.at("text_note").find("引用された履歴と署名は省略しました。") != std::string::npos);
  CHECK(c.values.at("text_note").find("madoguchi ticket show MG-000007") != std::string::npos);
  CHECK(c.values.at("attachment_list").empty());
  CHECK(c.attachments.empty());
}

TEST_CASE("staff notice: a mail of nothing but quotes is shown whole, an empty one says so") {
  const auto quoted = customer_mail_content(mail_with("> 前回の回答\n> です\n"), "MG-000001", 1, 1024);
  CHECK(quoted.values.at("customer_text") == "> 前回の回答\n> です");
  const auto empty = customer_mail_content(mail_with(""), "MG-000001", 1, 1024);
  CHECK(empty.values.at("customer_text").empty());
  CHECK(empty.values.at("text_note").find("本文はありません。") != std::string::npos);
  const auto plain = customer_mail_content(mail_with("質問です。\n"), "MG-000001", 1, 1024);
  CHECK(plain.values.at("text_note").empty());
}

TEST_CASE("staff notice: a long text is cut at a character boundary with a note") {
  std::string long_text;
  for (int i = 0; i < 10000; ++i) long_text += "あ";
  const auto c = customer_mail_content(mail_with(long_text), "MG-000001", 1, 1024);
  const std::string& t = c.values.at("customer_text");
  CHECK(t.size() <= 16 * 1024);
  CHECK(t.size() % 3 == 0);  // whole characters only
  CHECK(c.values.at("text_note").find("長いため途中までを表示しています。") != std::string::npos);
}

TEST_CASE("staff notice: attachments are attached up to the limit in all, listed beyond it with ticket-wide numbers") {
  const auto c = customer_mail_content(
      mail_with("添付します。", {file("見積書.pdf", 600), file("大きい.pdf", 600), file("小さい.pdf", 300)}),
      "MG-000003", 4, 1000);
  // 600 fits; 600 more would pass 1000; 300 still fits after the first.
  REQUIRE(c.attachments.size() == 2);
  CHECK(c.attachments[0].filename == "見積書.pdf");
  CHECK(c.attachments[1].filename == "小さい.pdf");
  const std::string& list = c.values.at("attachment_list");
  CHECK(list.find("  4. 見積書.pdf（application/pdf、600 バイト） 添付") != std::string::npos);
  CHECK(list.find("  5. 大きい.pdf（application/pdf、600 バイト） 未添付（上限 1000 バイト を超えるため）") != std::string::npos);
  CHECK(list.find("  6. 小さい.pdf") != std::string::npos);
  CHECK(list.find("madoguchi ticket attachment MG-000003 番号 --out ファイル名") != std::string::npos);
}

TEST_CASE("staff notice: Japanese words for status, outcome, identity and sizes") {
  CHECK(status_words(TicketStatus::open) == "未回答");
  CHECK(status_words(TicketStatus::waiting_customer) == "お客様の回答待ち");
  CHECK(status_words(TicketStatus::closed) == "完了");
  CHECK(outcome_words("out_of_scope") == "サポート対象外");
  CHECK(outcome_words("staff_mail") == "担当者のメール");
  CHECK(outcome_words("something_new") == "something_new");  // never empty
  CHECK(identity_words("not_admin") == "登録済みだが管理者ではない");
  CHECK(identity_words("staff") == "担当者");
  CHECK(size_words(812) == "812 バイト");
  CHECK(size_words(12 * 1024) == "12 KB");
  CHECK(size_words(3 * 1024 * 1024 + 400 * 1024) == "3.4 MB");
}
