// Pure helpers of daemon/: ticket tags, retry backoff, address masking, Maildir names.
#include <doctest/doctest.h>

#include "daemon/log.h"
#include "daemon/maildir_source.h"
#include "daemon/outbox.h"
#include "daemon/tickets.h"

#include <set>

using namespace madoguchi::daemon;

TEST_CASE("ticket numbers and keyed tags") {
  CHECK(ticket_number(123) == "MG-000123");
  CHECK(ticket_number(1234567) == "MG-1234567");
  const TagKey key("0123456789abcdef0123456789abcdef");
  const std::string check = key.check("MG-000123");
  CHECK(check.size() == 3);
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

TEST_CASE("retry backoff doubles from one minute and stops at one hour") {
  CHECK(retry_delay(1) == std::chrono::seconds(60));
  CHECK(retry_delay(2) == std::chrono::seconds(120));
  CHECK(retry_delay(6) == std::chrono::seconds(1920));
  CHECK(retry_delay(7) == std::chrono::seconds(3600));
  CHECK(retry_delay(50) == std::chrono::seconds(3600));
}

TEST_CASE("addresses are masked in logs by default") {
  init_logging("error", true);
  CHECK(mask_address("taro@example.co.jp") == "t***@example.co.jp");
  CHECK(mask_address("@example.co.jp") == "***@example.co.jp");
  CHECK(mask_address("no-at-sign") == "***");
  CHECK(mask_address("") == "");
  init_logging("error", false);
  CHECK(mask_address("taro@example.co.jp") == "taro@example.co.jp");
  init_logging("error", true);
}

TEST_CASE("maildir unique names drop the info part") {
  CHECK(maildir_unique_name("1700000000.M1P2.host:2,S") == "1700000000.M1P2.host");
  CHECK(maildir_unique_name("1700000000.M1P2.host") == "1700000000.M1P2.host");
}
