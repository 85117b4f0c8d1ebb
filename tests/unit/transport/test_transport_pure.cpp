// Pure helpers of the IO edges: Maildir names, what SMTP reply codes mean.
#include <doctest/doctest.h>

#include "daemon/transport/maildir_source.h"
#include "daemon/transport/smtp_replies.h"
#include "daemon/transport/stdin_source.h"

#include <sstream>

using namespace madoguchi::daemon;

TEST_CASE("maildir unique names drop the info part") {
  CHECK(maildir_unique_name("1700000000.M1P2.host:2,S") == "1700000000.M1P2.host");
  CHECK(maildir_unique_name("1700000000.M1P2.host") == "1700000000.M1P2.host");
}

TEST_CASE("smtp replies: code, enhanced status and what they mean") {
  CHECK(reply_code("550 5.1.1 <x@example.jp>: no such user") == 550);
  CHECK(reply_code("250") == 250);
  CHECK(reply_code("no reply: couldn't connect") == 0);
  CHECK(reply_code("") == 0);
  CHECK(enhanced_status("550 5.1.1 <x@example.jp>: no such user") == "5.1.1");
  CHECK(enhanced_status("550-5.7.1 policy") == "5.7.1");
  CHECK(enhanced_status("550 mailbox unavailable") == "");
  CHECK(server_level_code(0));
  CHECK(server_level_code(421));
  CHECK(server_level_code(535));
  CHECK_FALSE(server_level_code(450));  // about this message: the next may pass
  CHECK_FALSE(server_level_code(550));
  CHECK(auth_or_tls_refusal(530));
  CHECK_FALSE(auth_or_tls_refusal(554));
  CHECK(mailbox_refused("5.1.1"));
  CHECK_FALSE(mailbox_refused("5.7.1"));
}

TEST_CASE("smtp stages: the command we sent names the stage a refusal answers") {
  CHECK(command_stage("EHLO madoguchi\r\n") == SmtpStage::ehlo);
  CHECK(command_stage("HELO madoguchi\r\n") == SmtpStage::ehlo);
  CHECK(command_stage("STARTTLS\r\n") == SmtpStage::starttls);
  CHECK(command_stage("AUTH PLAIN AHJlbGF5AHMzY3JldA==\r\n") == SmtpStage::auth);
  CHECK(command_stage("MAIL FROM:<>\r\n") == SmtpStage::mail_from);
  CHECK(command_stage("mail from:<support@example.jp> SIZE=120\r\n") == SmtpStage::mail_from);
  CHECK(command_stage("RCPT TO:<taro@example.co.jp>\r\n") == SmtpStage::rcpt_to);
  CHECK(command_stage("DATA\r\n") == SmtpStage::data);
  CHECK_FALSE(command_stage("QUIT\r\n"));                 // after a refusal: the stage stays
  CHECK_FALSE(command_stage("AHJlbGF5AHMzY3JldA==\r\n"));  // a SASL continuation line
  CHECK_FALSE(command_stage("DATABASE\r\n"));
  CHECK_FALSE(command_stage(""));
  // Up to MAIL FROM the server refuses the session; from RCPT TO on, this mail.
  for (auto s : {SmtpStage::connect, SmtpStage::ehlo, SmtpStage::starttls, SmtpStage::auth, SmtpStage::mail_from})
    CHECK(session_stage(s));
  for (auto s : {SmtpStage::none, SmtpStage::rcpt_to, SmtpStage::data, SmtpStage::end_of_data})
    CHECK_FALSE(session_stage(s));
  CHECK(to_string(SmtpStage::mail_from) == "mail_from");
  CHECK(to_string(SmtpStage::none) == "-");
}

TEST_CASE("stdin source: one mail, cut at the limit, keyed by its bytes, taken once") {
  std::istringstream in(std::string(100, 'a'));
  StdinSource source("pipe", in, 40);
  auto items = source.pending();
  REQUIRE(items.size() == 1);
  CHECK(items[0].key.rfind("stdin:", 0) == 0);
  CHECK(items[0].key.size() == 6 + 64);
  CHECK(source.fetch(items[0]) == std::string(40, 'a'));
  CHECK(in.eof());  // read to the end, so the MTA sees the whole mail taken
  CHECK(source.pending().size() == 1);  // not marked yet: the same item again
  source.mark_processed(items[0]);
  CHECK(source.pending().empty());

  std::istringstream other(std::string(39, 'a'));
  StdinSource shorter("pipe", other, 40);
  CHECK(shorter.pending()[0].key != items[0].key);
}
