// mail_sink.h — one interface for the outgoing edge (SMTP, a directory for dry runs).
#pragma once

#include <string>
#include <string_view>

namespace madoguchi::daemon {

struct Envelope {
  std::string from;       // "" is the null sender <> (automatic replies, RFC 3834)
  std::string recipient;  // one recipient per transaction
};

// The step of an SMTP transaction a failure happened in (none: sent, or not SMTP). Up to
// MAIL FROM a refusal is about the session — the server, our configuration, our sender — and
// would meet every message alike; from RCPT TO on it is about this recipient or message.
enum class SmtpStage { none, connect, ehlo, starttls, auth, mail_from, rcpt_to, data, end_of_data };

struct SendResult {
  enum class Status { sent, temporary_failure, permanent_failure } status = Status::sent;
  std::string reply;  // the server's last reply (or the local error), for the outbox row
  SmtpStage stage = SmtpStage::none;  // where it failed
};

class MailSink {
 public:
  virtual ~MailSink() = default;
  // Delivers one message; never throws for delivery problems (they are results).
  virtual SendResult send(const Envelope& envelope, std::string_view raw,
                          std::string_view message_id) = 0;
};

}  // namespace madoguchi::daemon
