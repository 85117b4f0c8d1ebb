// Pure helpers of daemon/: ticket tags, retry backoff, address masking, Maildir names.
#include <doctest/doctest.h>

#include "daemon/log.h"
#include "daemon/maildir_source.h"
#include "daemon/outbox.h"
#include "daemon/tickets.h"

using namespace madoguchi::daemon;

TEST_CASE("ticket numbers and tags") {
  CHECK(ticket_number(123) == "MG-000123");
  CHECK(ticket_number(1234567) == "MG-1234567");
  CHECK(ticket_tag("MG-000123") == "[#MG-000123]");
}

TEST_CASE("find_ticket_tag reads the tag wherever the client put it") {
  CHECK(find_ticket_tag("Re: [#MG-000123] お問い合わせ") == "MG-000123");
  CHECK(find_ticket_tag("RE: RE: 件名 [#MG-000042-k7]") == "MG-000042");
  CHECK(find_ticket_tag("[#MG-12345] too short") == std::nullopt);
  CHECK(find_ticket_tag("#MG-000123 without brackets") == std::nullopt);
  CHECK(find_ticket_tag("[#MG-000123x]") == std::nullopt);
  CHECK(find_ticket_tag("[#MG-] [#MG-000007]") == "MG-000007");
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
