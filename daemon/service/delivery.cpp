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

// Records an attempt's result. The server has answered, so a locked database is waited for
// (a few more busy timeouts) rather than leaving the row in flight, to be sent again once
// its lease has passed.
void record_result(Store& store, const DueMail& mail, const SendResult& r, OutboxState state, int attempts,
                   std::chrono::sys_seconds next_attempt, std::chrono::sys_seconds now,
                   const BetweenMails& between_mails) {
  for (int tries = 1;; ++tries) {
    try {
      // Synced: once the server said 250, a power loss must not make us send it again.
      Transaction tx(store, Durability::synced);
      record_attempt(tx, mail.id, state, attempts, next_attempt, r.reply, now);
      // The relay refused the mailbox itself (5.1.x): as good as a DSN, and the only bounce
      // automatic mail ever gets (it goes out with the null sender, RFC 5321 §4.5.5).
      const std::string status = enhanced_status(r.reply);
      if (r.status == SendResult::Status::permanent_failure && mailbox_refused(status))
        record_hard_bounce(tx, mail.recipient, mail.message_id, status, now);
      tx.commit();
      return;
    } catch (const std::exception& e) {
      if (!is_busy(e) || tries == 4) throw;
      log_event(spdlog::level::warn, Event::store_busy,
                {{"during", "outbox_record"}, {"outbox", std::to_string(mail.id)}, {"try", std::to_string(tries)}});
      if (between_mails) between_mails();
    }
  }
}

// One due row: suppress, claim, send, record. False when the round should stop (the server
// cannot be used now).
bool deliver_one(Store& store, MailSink& sink, const DueMail& mail, std::chrono::sys_seconds now,
                 const DeliveryPolicy& policy, const BetweenMails& between_mails, DeliveryStats& stats) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  if (suppress(store, mail, now, policy)) {
    ++stats.failed;
    ++stats.suppressed;
    return true;
  }
  if (!claim_mail(store, mail, now + policy.lease)) return true;  // another sender has it
  const auto raw = outbox_raw(store, mail.id);
  if (!raw) return true;
  const int attempts = mail.attempts + 1;
  const SendResult r = sink.send({mail.from, mail.recipient}, *raw, mail.message_id);
  const OutboxState state = next_state(r, mail, now, policy);
  record_result(store, mail, r, state, attempts, now + retry_delay(attempts, unit(rng)), now, between_mails);
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
  // The server refuses the session (unreachable, 421, authentication, relay denied at MAIL
  // FROM): the next row would meet the same refusal, so the round stops and the rest wait
  // without an attempt counted. Only the code and the stage: the reply may echo our sender.
  if (r.status == SendResult::Status::temporary_failure && (server_level_code(code) || session_stage(r.stage))) {
    stats.server_unreachable = true;
    log_event(spdlog::level::warn, Event::smtp_unavailable,
              {{"code", code_text}, {"stage", to_string(r.stage)},
               {"detail", code ? std::string("server refused the session") : r.reply}});
    return false;
  }
  return true;
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
  DeliveryStats stats;
  for (const DueMail& mail : due_mail(store, now)) {
    if (between_mails) between_mails();
    try {
      if (!deliver_one(store, sink, mail, now, policy, between_mails, stats)) break;
    } catch (const std::exception& e) {
      // The database is locked by another process beyond the busy timeout: the round stops,
      // the rows wait for the next pass (a claim that did not commit counted no attempt).
      if (!is_busy(e)) throw;
      log_event(spdlog::level::warn, Event::store_busy, {{"during", "outbox"}, {"outbox", std::to_string(mail.id)}});
      break;
    }
  }
  return stats;
}

}  // namespace madoguchi::daemon
