// delivery.cpp — see delivery.h.
#include "daemon/service/delivery.h"

#include "daemon/log/log.h"
#include "daemon/store/outbox.h"
#include "daemon/transport/smtp_replies.h"

#include <algorithm>
#include <random>

namespace madoguchi::daemon {
namespace {

// Automatic mail (null sender) to an address that keeps bouncing hard: failed without an
// attempt. True when `mail` was suppressed.
bool suppress(Store& store, const DueMail& mail, std::chrono::sys_seconds now, const DeliveryPolicy& policy) {
  if (!mail.from.empty() || policy.hard_bounces_to_suppress <= 0) return false;
  const int n = hard_bounces_since(store, mail.recipient, now - policy.suppress_for);
  if (n < policy.hard_bounces_to_suppress) return false;
  Transaction tx(store);
  record_attempt(tx, mail.id, OutboxState::failed, mail.attempts + 1, now,
                 "suppressed: " + std::to_string(n) + " hard bounces of this address", now);
  tx.commit();
  log_event(spdlog::level::warn, Event::outbox_suppressed,
            {{"outbox", std::to_string(mail.id)}, {"to", mask_address(mail.recipient)},
             {"bounces", std::to_string(n)}});
  return true;
}

// What the attempt's result means for the row: its next state.
OutboxState next_state(const SendResult& r, const DueMail& mail, std::chrono::sys_seconds now,
                       const DeliveryPolicy& policy) {
  if (r.status == SendResult::Status::sent) return OutboxState::sent;
  if (r.status == SendResult::Status::permanent_failure || now - mail.created_at >= policy.max_age)
    return OutboxState::failed;
  return OutboxState::pending;
}

}  // namespace

std::chrono::seconds retry_delay(int attempts) {
  const int shift = std::clamp(attempts - 1, 0, 6);
  return std::min(std::chrono::seconds(60 << shift), std::chrono::seconds(3600));
}

std::chrono::seconds retry_delay(int attempts, double unit) {
  const double base = static_cast<double>(retry_delay(attempts).count());
  const double factor = 0.8 + 0.4 * std::clamp(unit, 0.0, 1.0);
  return std::chrono::seconds(static_cast<long>(base * factor));
}

DeliveryStats deliver_due(Store& store, MailSink& sink, std::chrono::sys_seconds now,
                          std::chrono::seconds max_age) {
  DeliveryPolicy policy;
  policy.max_age = max_age;
  return deliver_due(store, sink, now, policy);
}

DeliveryStats deliver_due(Store& store, MailSink& sink, std::chrono::sys_seconds now,
                          const DeliveryPolicy& policy, const BetweenMails& between_mails) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  DeliveryStats stats;
  for (const DueMail& mail : due_mail(store, now)) {
    if (between_mails) between_mails();
    if (suppress(store, mail, now, policy)) {
      ++stats.failed;
      ++stats.suppressed;
      continue;
    }
    if (!claim_mail(store, mail, now + policy.lease)) continue;  // another sender has it
    const auto raw = outbox_raw(store, mail.id);
    if (!raw) continue;
    const int attempts = mail.attempts + 1;
    const SendResult r = sink.send({mail.from, mail.recipient}, *raw, mail.message_id);
    const OutboxState state = next_state(r, mail, now, policy);
    {
      Transaction tx(store);
      record_attempt(tx, mail.id, state, attempts, now + retry_delay(attempts, unit(rng)), r.reply, now);
      // The relay refused the mailbox itself (5.1.x): as good as a DSN, and the only bounce
      // automatic mail ever gets (it goes out with the null sender, RFC 5321 §4.5.5).
      const std::string status = enhanced_status(r.reply);
      if (r.status == SendResult::Status::permanent_failure && mailbox_refused(status))
        record_hard_bounce(tx, mail.recipient, mail.message_id, status, now);
      tx.commit();
    }
    if (state == OutboxState::sent) ++stats.sent;
    else if (state == OutboxState::failed) ++stats.failed;
    else ++stats.deferred;
    // Only the reply code: SMTP replies often echo the recipient's address.
    const int code = reply_code(r.reply);
    const std::string code_text = code ? std::to_string(code) : std::string("-");
    log_event(state == OutboxState::sent ? spdlog::level::info : spdlog::level::warn,
              state == OutboxState::sent     ? Event::outbox_sent
              : state == OutboxState::failed ? Event::outbox_failed
                                             : Event::outbox_deferred,
              {{"outbox", std::to_string(mail.id)}, {"to", mask_address(mail.recipient)},
               {"attempts", std::to_string(attempts)}, {"code", code_text}});
    if (state == OutboxState::pending && r.status == SendResult::Status::temporary_failure &&
        server_level_code(code)) {
      stats.server_unreachable = true;
      log_event(spdlog::level::warn, Event::smtp_unavailable,
                {{"code", code_text}, {"detail", code ? std::string("server refused the session") : r.reply}});
      break;
    }
  }
  return stats;
}

}  // namespace madoguchi::daemon
