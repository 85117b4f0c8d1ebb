// processed_mail.h — what happened to one message in the stages: the `run --once` summary,
// the tests, and the ticket stage's log line read it.
#pragma once

#include "daemon/store/states.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace madoguchi::daemon {

enum class MailAction {
  new_ticket, follow_up, reopened, auto_reply_ignored, bounce, staff_reply, staff_note,
  staff_command, staff_mail_ignored, staff_mail_unverified, retry_later, failed,
};
template <> struct StateNames<MailAction> {
  static constexpr std::array<std::string_view, 12> names{
      "new_ticket", "follow_up", "reopened", "auto_reply_ignored", "bounce", "staff_reply",
      "staff_note", "staff_command", "staff_mail_ignored", "staff_mail_unverified", "retry_later", "failed"};
};

struct ProcessedMail {
  std::int64_t message = 0;
  std::string mailbox;
  std::string subject;
  std::string sender;  // masked unless logging personal data is on
  std::string desk;
  std::string identity;
  std::string outcome;
  std::string rule;
  std::string ticket;  // "MG-000123", "" when none
  MailAction action = MailAction::failed;
  std::string reply;   // template of the automatic reply queued, "" when none
  std::string note;    // why no reply (loop_reason, rate limit, first run), or the error
};

}  // namespace madoguchi::daemon
