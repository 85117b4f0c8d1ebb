// Pure parts of service/: keyed ticket tags, the subject shown in our mail, retry backoff.
#include <doctest/doctest.h>

#include "daemon/service/delivery.h"
#include "daemon/service/staff_reply_address.h"
#include "daemon/service/ticket_tags.h"
#include "daemon/service/views.h"
#include "daemon/store/tickets.h"
#include "parsers/parsed_mail.h"

#include <algorithm>
#include <chrono>
#include <set>

using namespace madoguchi::daemon;

TEST_CASE("ticket numbers and keyed tags") {
  CHECK(ticket_number(123) == "MG-000123");
  CHECK(ticket_number(1234567) == "MG-1234567");
  const TagKey key("0123456789abcdef0123456789abcdef");
  const std::string check = key.check("MG-000123");
  CHECK(check.size() == 6);  // 30 bits
  // Pinned: HMAC-SHA256 of the number, its first 30 bits in base32, as tags in sent mail carry.
  CHECK(check == "5zvpau");
  CHECK(key.tag("MG-000123") == "[#MG-000123-" + check + "]");
  CHECK(key.check("MG-000123") == check);  // deterministic
  CHECK(TagKey("another key, another check value").check("MG-000123") != check);
  // The check depends on the number: 200 numbers give many distinct checks.
  std::set<std::string> checks;
  for (int i = 1; i <= 200; ++i) checks.insert(key.check(ticket_number(i)));
  CHECK(checks.size() > 150);
}

TEST_CASE("find_ticket_tag reads the tag wherever the client put it") {
  auto number = [](std::string_view s) {
    auto t = find_ticket_tag(s);
    return t ? t->number : std::string("none");
  };
  CHECK(number("Re: [#MG-000123] お問い合わせ") == "MG-000123");
  CHECK(number("RE: RE: 件名 [#MG-000042-k7q]") == "MG-000042");
  CHECK(find_ticket_tag("RE: [#MG-000042-K7Q]")->check == "k7q");
  CHECK_FALSE(find_ticket_tag("[#MG-000042]")->check.has_value());
  CHECK(number("[#MG-12345] too short") == "none");
  CHECK(number("#MG-000123 without brackets") == "none");
  CHECK(number("[#MG-000123x]") == "none");
  CHECK(number("[#MG-000123-] [#MG-000007]") == "MG-000007");
  CHECK(number("[#MG-] [#MG-000007]") == "MG-000007");
}

TEST_CASE("the customer's subject inside ours: no tags, no reply prefixes, short") {
  CHECK(display_subject("Re: [#MG-000123-k7q] ログインできません") == "ログインできません");
  CHECK(display_subject("RE: 返信: Fwd: 件名") == "件名");
  CHECK(display_subject("[#MG-000001] [#MG-000002]") == "(件名なし)");
  CHECK(display_subject("") == "(件名なし)");
  const std::string long_subject(60, 'x');
  CHECK(display_subject(long_subject) == std::string(40, 'x') + "…");
  CHECK(display_subject("Re:Re:[#MG-000001-abc]Re: 件名 [#MG-000001]です") == "件名 です");
  // parsers::strip_subject_prefixes: full-width, counted and foreign prefixes, U+3000
  CHECK(display_subject("Ｒｅ：[#MG-000123-k7q]\u3000Re[2]: AW: 回复: 件名") == "件名");
  CHECK(display_subject("Review: [#MG-000123-k7q] 結果") == "Review:  結果");
}

TEST_CASE("the subject shown is bounded work: a 12 MB subject of tags takes milliseconds, not minutes") {
  // Removing tags one at a time from the front was quadratic: this subject took over 60 s,
  // longer than the systemd watchdog, so one mail stopped the desk (issue 14, item 5).
  std::string tags;
  for (int i = 0; i < 1'000'000; ++i) tags += "[#MG-000001]";
  std::string prefixes;
  for (int i = 0; i < 1'000'000; ++i) prefixes += "Re: ";
  const auto start = std::chrono::steady_clock::now();
  CHECK(display_subject(tags) == "…");
  CHECK(display_subject(prefixes + "件名") == "…");
  CHECK(display_subject(std::string(12'000'000, 'x')) == std::string(40, 'x') + "…");
  // The look stops inside a character: cut before it, so the output stays valid UTF-8.
  std::string cut;
  while (cut.size() + 12 <= kDisplaySubjectScan - 2) cut += "[#MG-000001]";
  cut.resize(kDisplaySubjectScan - 2, ' ');
  CHECK(display_subject(cut + "件名") == "…");
  CHECK(display_subject(cut.substr(0, cut.size() - 2) + "ab件名") == "ab…");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("ticket numbers as operators type them") {
  CHECK(normalize_ticket_number("123") == "MG-000123");
  CHECK(normalize_ticket_number("MG-000123") == "MG-000123");
  CHECK(normalize_ticket_number("[#MG-000123-abc]") == "MG-000123");
  CHECK_FALSE(normalize_ticket_number("99999999999999999999").has_value());  // beyond any ticket: a usage error
  CHECK(normalize_ticket_number("MG-99999999999999999999") == "MG-99999999999999999999");  // names no ticket
}

TEST_CASE("retry backoff doubles from one minute and stops at one hour, jittered by 20 %") {
  CHECK(retry_delay(1) == std::chrono::seconds(60));
  CHECK(retry_delay(2) == std::chrono::seconds(120));
  CHECK(retry_delay(6) == std::chrono::seconds(1920));
  CHECK(retry_delay(7) == std::chrono::seconds(3600));
  CHECK(retry_delay(50) == std::chrono::seconds(3600));
  CHECK(retry_delay(1, 0.0) == std::chrono::seconds(48));
  CHECK(retry_delay(1, 0.5) == std::chrono::seconds(60));
  CHECK(retry_delay(1, 0.999) < std::chrono::seconds(72));
  CHECK(retry_delay(7, 1.0) == std::chrono::seconds(4320));
}

TEST_CASE("retry backoff over many attempts: every jittered delay within 80-120 % of its base, growing with the unit") {
  for (int attempts = 1; attempts <= 12; ++attempts) {
    CAPTURE(attempts);
    const long base = std::min(60L << std::min(attempts - 1, 6), 3600L);
    CHECK(retry_delay(attempts).count() == base);
    if (attempts > 1) CHECK(retry_delay(attempts) >= retry_delay(attempts - 1));  // never shrinks
    long previous = 0;
    for (int i = 0; i < 1000; ++i) {
      const double unit = i / 1000.0;  // [0, 1), as std::uniform_real_distribution gives
      const long d = retry_delay(attempts, unit).count();
      CHECK(d >= base * 8 / 10);
      CHECK(d < base * 12 / 10);
      CHECK(d >= previous);
      previous = d;
    }
  }
  // Out-of-range units are clamped, not extrapolated.
  CHECK(retry_delay(3, -5.0) == retry_delay(3, 0.0));
  CHECK(retry_delay(3, 7.0) == retry_delay(3, 1.0));
}

TEST_CASE("keyed reply address of a staff notice: one ticket, one staff address, 80 bits") {
  const TagKey key("0123456789abcdef0123456789abcdef");
  // Pinned: HMAC-SHA256 over "staff-reply", the number and the address, NUL-separated.
  CHECK(key.staff_reply_key("MG-000123", "staff@example.jp") == "fq7b75cdkbewu4d4");
  madoguchi::rules::Desk desk;
  desk.addresses = {"support@example.jp"};
  desk.staff_reply_address = "support@example.jp";
  const std::string a = keyed_reply_address(key, desk, "MG-000123", "Staff@Example.JP");
  CHECK(a == "support+mg-000123-fq7b75cdkbewu4d4@example.jp");
  auto ticket_of = [&](const std::string& headers, const std::string& sender) {
    const auto mail = madoguchi::parsers::parse_mail("From: " + sender + "\r\n" + headers + "Subject: s\r\n\r\nb\r\n");
    return keyed_reply_ticket(key, desk, mail, sender).value_or("none");
  };
  CHECK(ticket_of("To: " + a + "\r\n", "staff@example.jp") == "MG-000123");
  CHECK(ticket_of("To: x@y.jp\r\nCc: " + a + "\r\n", "staff@example.jp") == "MG-000123");
  CHECK(ticket_of("Delivered-To: " + a + "\r\nTo: support@example.jp\r\n", "staff@example.jp") == "MG-000123");
  // Upper-cased by a relay on the way: still the same address.
  std::string upper = a;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(ticket_of("To: " + upper + "\r\n", "staff@example.jp") == "MG-000123");
  // Another staff member's From, another ticket's number with this key, a changed key, another domain.
  CHECK(ticket_of("To: " + a + "\r\n", "other-staff@example.jp") == "none");
  CHECK(ticket_of("To: support+mg-000124-fq7b75cdkbewu4d4@example.jp\r\n", "staff@example.jp") == "none");
  CHECK(ticket_of("To: support+mg-000123-fq7b75cdkbewu4d5@example.jp\r\n", "staff@example.jp") == "none");
  CHECK(ticket_of("To: support+mg-000123-fq7b75cdkbewu4d4@evil.example\r\n", "staff@example.jp") == "none");
  CHECK(ticket_of("To: support+mg-000123-fq7b75cdkbewu4@example.jp\r\n", "staff@example.jp") == "none");
  CHECK(ticket_of("To: support@example.jp\r\n", "staff@example.jp") == "none");
  // Another key, the same address: nothing.
  CHECK_FALSE(keyed_reply_ticket(TagKey("another key, another check value"), desk,
                                 madoguchi::parsers::parse_mail("From: staff@example.jp\r\nTo: " + a + "\r\n\r\nb\r\n"),
                                 "staff@example.jp"));
  desk.staff_reply_address.clear();  // staff_reply_address: none
  CHECK(keyed_reply_address(key, desk, "MG-000123", "staff@example.jp").empty());
  CHECK(ticket_of("To: " + a + "\r\n", "staff@example.jp") == "none");
}
