// delivery.h — the outbox's delivery policy (Postfix's qmgr: the sink makes one attempt, the
// policy decides about retries). Delivery is at-least-once, never at-most-once:
//   1. claim   — one committed UPDATE counts the attempt and pushes next_attempt_at one
//                lease (15 min) ahead, last_reply "in flight";
//   2. send    — one attempt through the MailSink;
//   3. record  — one committed transaction with the result (and a hard bounce for a 5.1.x).
// A crash between the server's final "250" and step 3 leaves the row pending and "in
// flight"; it is sent again once the lease has passed. That window is the few milliseconds
// between the server's reply and the commit; the duplicate carries the same Message-ID, so
// mail clients show it once. The lease also keeps two senders from sending one row twice.
#pragma once

#include "daemon/service/context.h"
#include "daemon/transport/mail_sink.h"

#include <chrono>

namespace madoguchi::daemon {

struct DeliveryStats {
  int sent = 0;
  int deferred = 0;
  int failed = 0;
  int suppressed = 0;  // automatic mail to an address that keeps bouncing (counted in failed too)
  bool server_unreachable = false;  // the round stopped early; the rest wait, no attempt counted
};

// Delivers every pending row that is due. A temporary failure is retried with exponential
// backoff and jitter (retry_delay) until policy.max_age, then failed; a permanent one fails at
// once. A failure that is not about the message — no server reply, 421, an authentication or
// TLS refusal, any refusal of the session before RCPT TO (the sink reports those, 5xx
// included, as temporary: SmtpStage) — defers the row with the same backoff, logs
// `smtp_unavailable` and ends the round: the other rows wait without an attempt counted.
// `between_mails`, when set, is called before each row.
DeliveryStats deliver_due(Store& store, MailSink& sink, std::chrono::sys_seconds now,
                          const DeliveryPolicy& policy, const BetweenMails& between_mails = {});
DeliveryStats deliver_due(Store& store, MailSink& sink, std::chrono::sys_seconds now,
                          std::chrono::seconds max_age);

// Backoff before attempt n+1 after n failed attempts (n >= 1): 1 min doubling, at most 1 h.
std::chrono::seconds retry_delay(int attempts);
// The same with ±20 % jitter (`unit` in [0, 1)), so that rows deferred together by one outage
// do not all hit the server again in the same second.
std::chrono::seconds retry_delay(int attempts, double unit);

}  // namespace madoguchi::daemon
