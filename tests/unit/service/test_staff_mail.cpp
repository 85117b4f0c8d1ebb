// Staff mail: commands at the top, internal notes, quoted history cut off.
#include <doctest/doctest.h>

#include "daemon/service/staff_mail.h"

using namespace madoguchi::daemon;

TEST_CASE("staff mail: plain reply keeps the text and drops quoted history (Thunderbird)") {
  auto m = parse_staff_mail(
      "佐藤様\n\nお問い合わせの件、管理画面から再発行できます。\n\n"
      "2026/11/20 10:32 it-admin@sakura-giken.co.jp wrote:\n> 再発行したい\n> 内部メモ: 顧客は旧版\n");
  CHECK(m.commands.empty());
  CHECK_FALSE(m.internal_note);
  CHECK(m.errors.empty());
  CHECK(m.text == "佐藤様\n\nお問い合わせの件、管理画面から再発行できます。\n");
}

TEST_CASE("staff mail: Japanese and Outlook attributions end the text") {
  CHECK(strip_quoted("回答です。\n\n佐藤さんは書きました：\n> 質問\n") == "回答です。\n");
  CHECK(strip_quoted("回答です。\n\n-----Original Message-----\nFrom: x\n本文\n") == "回答です。\n");
  CHECK(strip_quoted("回答です。\n\n________________________________\n差出人: 佐藤\n件名: 質問\n") == "回答です。\n");
  CHECK(strip_quoted("回答です。\nOn Fri, Nov 20, 2026 at 10:32 AM Sato <a@b> wrote:\n> q\n") == "回答です。\n");
  // an answer below a quoted line stays, one blank line where the quote was
  CHECK(strip_quoted("一行目\n> 引用\n二行目\n") == "一行目\n\n二行目\n");
}

TEST_CASE("staff mail: the staff signature is cut, the desk's templates add their own") {
  auto m = parse_staff_mail("佐藤様\n\n手順をお送りします。\n\n-- \n鈴木 (サポート)\n内線 1234\n");
  CHECK(m.text == "佐藤様\n\n手順をお送りします。\n");
  CHECK(strip_quoted("回答です。\n\n━━━━━━━━\nサポートデスク 鈴木\nsupport@madoguchi.example\n━━━━━━━━\n") ==
        "回答です。\n");
}

TEST_CASE("staff mail: commands at the top") {
  auto m = parse_staff_mail("#status investigating\n#close answered_spec\n\n回答本文\n");
  REQUIRE(m.commands.size() == 2);
  CHECK(m.commands[0].kind == StaffCommandKind::status);
  CHECK(m.commands[0].argument == "investigating");
  CHECK(m.commands[1].kind == StaffCommandKind::close);
  CHECK(m.commands[1].argument == "answered_spec");
  CHECK(m.text == "回答本文\n");
  CHECK(m.internal_note);  // a command instead of a reply: the text is never sent
  CHECK(m.errors.empty());
  CHECK_FALSE(parse_staff_mail("回答本文\n#close resolved\n").internal_note);  // not at the top: a reply
}

TEST_CASE("staff mail: #note makes the text internal") {
  auto m = parse_staff_mail("#note 顧客はv3.2を利用。再現手順は社内Wiki参照。\n");
  CHECK(m.internal_note);
  CHECK(m.text.find("社内Wiki") != std::string::npos);
  auto m2 = parse_staff_mail("＃note\n\n内部メモです\n");
  CHECK(m2.internal_note);
  CHECK(m2.text == "内部メモです\n");
}

TEST_CASE("staff mail: unknown commands and reasons are errors, nothing else is guessed") {
  auto m = parse_staff_mail("#close done\n#stats open\n\n本文\n");
  CHECK(m.errors.size() == 2);
  CHECK(m.commands.empty());
  auto m2 = parse_staff_mail("#status closed\n");
  CHECK(m2.errors.size() == 1);  // closing needs a reason
}
