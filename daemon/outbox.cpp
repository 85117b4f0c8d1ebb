// outbox.cpp — see outbox.h.
#include "daemon/outbox.h"

#include "daemon/log.h"
#include "daemon/store.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace madoguchi::daemon {
namespace {

int reply_code(const std::string& reply) {
  if (reply.size() < 3 || !std::isdigit(static_cast<unsigned char>(reply[0])) ||
      !std::isdigit(static_cast<unsigned char>(reply[1])) || !std::isdigit(static_cast<unsigned char>(reply[2])))
    return 0;
  return std::stoi(reply.substr(0, 3));
}

// Not about this message: the next rows would fail the same way.
bool server_level_failure(const SendResult& r) {
  if (r.status != SendResult::Status::temporary_failure) return false;
  const int code = reply_code(r.reply);
  return code == 0 || code == 421 || code == 530 || code == 534 || code == 535 || code == 538;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::int64_t enqueue(SQLite::Database& db, const OutboxRow& row, std::chrono::sys_seconds now) {
  SQLite::Statement ins(db,
                        "INSERT INTO outbox (ticket_id, cause_message, kind, template, "
                        "envelope_from, recipient, message_id, raw, next_attempt_at, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (row.ticket_id) ins.bind(1, *row.ticket_id); else ins.bind(1);
  if (row.cause_message) ins.bind(2, *row.cause_message); else ins.bind(2);
  ins.bind(3, row.kind);
  ins.bind(4, row.template_name);
  ins.bind(5, row.envelope_from);
  ins.bind(6, row.recipient);
  ins.bind(7, row.message_id);
  ins.bind(8, row.raw.data(), static_cast<int>(row.raw.size()));
  ins.bind(9, to_unix(now));
  ins.bind(10, to_unix(now));
  ins.exec();
  return db.getLastInsertRowid();
}

std::chrono::seconds retry_delay(int attempts) {
  const int shift = std::clamp(attempts - 1, 0, 6);
  return std::min(std::chrono::seconds(60 << shift), std::chrono::seconds(3600));
}

std::chrono::seconds retry_delay(int attempts, double unit) {
  const double base = static_cast<double>(retry_delay(attempts).count());
  const double factor = 0.8 + 0.4 * std::clamp(unit, 0.0, 1.0);
  return std::chrono::seconds(static_cast<long>(base * factor));
}

int hard_bounces_since(SQLite::Database& db, std::string_view recipient, std::chrono::sys_seconds since) {
  SQLite::Statement q(db, "SELECT COUNT(*) FROM outbox_bounces WHERE recipient = ? AND at >= ?");
  q.bind(1, lower(recipient));
  q.bind(2, to_unix(since));
  q.executeStep();
  return q.getColumn(0).getInt();
}

namespace {
void record_hard_bounce(SQLite::Database& db, std::string_view recipient, std::string_view message_id,
                        const std::string& status, std::chrono::sys_seconds now) {
  SQLite::Statement ins(db, "INSERT INTO outbox_bounces (recipient, at, message_id, status) VALUES (?, ?, ?, ?)");
  ins.bind(1, lower(recipient));
  ins.bind(2, to_unix(now));
  ins.bind(3, std::string(message_id));
  ins.bind(4, status);
  ins.exec();
}

// The enhanced status code of an SMTP reply ("550 5.1.1 <x>: …" -> "5.1.1"), or "".
std::string enhanced_status(const std::string& reply) {
  if (reply.size() < 9 || (reply[3] != ' ' && reply[3] != '-')) return "";
  const std::size_t end = reply.find_first_of(" \r\n", 4);
  const std::string code = reply.substr(4, end == std::string::npos ? std::string::npos : end - 4);
  const bool shaped = code.size() >= 5 && std::isdigit(static_cast<unsigned char>(code[0])) && code[1] == '.';
  return shaped ? code : "";
}
}  // namespace

DsnSummary summarize_dsn(std::string_view raw) {
  DsnSummary s;
  bool failed = false, delayed = false;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    auto eol = raw.find('\n', pos);
    if (eol == std::string_view::npos) eol = raw.size();
    std::string line = lower(raw.substr(pos, eol - pos));
    pos = eol + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    auto value = [&](std::string_view field) -> std::optional<std::string> {
      if (line.rfind(field, 0) != 0) return std::nullopt;
      std::string v = line.substr(field.size());
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    };
    if (auto v = value("action:")) {
      if (v->rfind("failed", 0) == 0) failed = true;
      if (v->rfind("delayed", 0) == 0) delayed = true;
    } else if (auto st = value("status:")) {
      if (s.status.empty()) s.status = st->substr(0, st->find_first_of(" (;"));
      if (st->rfind("5.", 0) == 0) failed = true;
    }
  }
  s.hard = failed;
  s.delayed = delayed && !failed;
  return s;
}

bool mark_bounced(SQLite::Database& db, std::string_view message_id, const DsnSummary& dsn,
                  std::chrono::sys_seconds now) {
  std::string recipient;
  {
    SQLite::Statement q(db, "SELECT recipient FROM outbox WHERE message_id = ?");
    q.bind(1, std::string(message_id));
    if (!q.executeStep()) return false;
    recipient = q.getColumn(0).getString();
  }
  // A delay notice (still being tried) or a success notice (delivered, relayed, expanded):
  // nothing to mark.
  if (!dsn.hard) return true;
  SQLite::Statement upd(db, "UPDATE outbox SET state = 'bounced', last_reply = ? WHERE message_id = ?");
  upd.bind(1, "bounced: DSN " + (dsn.status.empty() ? std::string("without status") : dsn.status));
  upd.bind(2, std::string(message_id));
  upd.exec();
  record_hard_bounce(db, recipient, message_id, dsn.status, now);
  log_event(spdlog::level::warn, "outbox_bounced",
            {{"to", mask_address(recipient)}, {"status", dsn.status.empty() ? "-" : dsn.status},
             {"hard", dsn.hard ? "true" : "false"}});
  return true;
}

DeliveryStats deliver_due(SQLite::Database& db, MailSink& sink, std::chrono::sys_seconds now,
                          std::chrono::seconds max_age) {
  DeliveryPolicy policy;
  policy.max_age = max_age;
  return deliver_due(db, sink, now, policy);
}

DeliveryStats deliver_due(SQLite::Database& db, MailSink& sink, std::chrono::sys_seconds now,
                          const DeliveryPolicy& policy) {
  struct Due {
    std::int64_t id;
    std::string from, rcpt, message_id;
    int attempts;
    std::int64_t created_at;
  };
  std::vector<Due> due;
  {
    SQLite::Statement q(db,
                        "SELECT id, envelope_from, recipient, message_id, attempts, created_at "
                        "FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id");
    q.bind(1, to_unix(now));
    while (q.executeStep())
      due.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                     q.getColumn(3).getString(), q.getColumn(4).getInt(), q.getColumn(5).getInt64()});
  }
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  DeliveryStats stats;
  for (const auto& d : due) {
    const std::string id = std::to_string(d.id);
    const int attempts = d.attempts + 1;
    auto record = [&](const std::string& state, std::int64_t next, const std::string& reply) {
      SQLite::Statement upd(db,
                            "UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, "
                            "last_reply = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END "
                            "WHERE id = ?");
      upd.bind(1, state);
      upd.bind(2, attempts);
      upd.bind(3, next);
      upd.bind(4, reply);
      upd.bind(5, state);
      upd.bind(6, to_unix(now));
      upd.bind(7, d.id);
      upd.exec();
    };

    // Suppression: automatic mail to an address that keeps bouncing hard.
    if (d.from.empty() && policy.hard_bounces_to_suppress > 0) {
      const int n = hard_bounces_since(db, d.rcpt, now - policy.suppress_for);
      if (n >= policy.hard_bounces_to_suppress) {
        record("failed", to_unix(now), "suppressed: " + std::to_string(n) + " hard bounces of this address");
        ++stats.failed;
        ++stats.suppressed;
        log_event(spdlog::level::warn, "outbox_suppressed",
                  {{"outbox", id}, {"to", mask_address(d.rcpt)}, {"bounces", std::to_string(n)}});
        continue;
      }
    }

    // 1. claim: the attempt is counted and the row leased before anything leaves.
    {
      SQLite::Statement claim(db,
                              "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_reply = ? "
                              "WHERE id = ? AND state = 'pending' AND attempts = ?");
      claim.bind(1, attempts);
      claim.bind(2, to_unix(now + policy.lease));
      claim.bind(3, "in flight: attempt " + std::to_string(attempts) + " started, outcome unknown");
      claim.bind(4, d.id);
      claim.bind(5, d.attempts);
      if (claim.exec() == 0) continue;  // another sender has it, or it changed meanwhile
    }
    std::string raw;
    {
      SQLite::Statement q(db, "SELECT raw FROM outbox WHERE id = ?");
      q.bind(1, d.id);
      if (!q.executeStep()) continue;
      const auto& blob = q.getColumn(0);
      raw.assign(static_cast<const char*>(blob.getBlob()), static_cast<std::size_t>(blob.getBytes()));
    }

    // 2. send
    const SendResult r = sink.send({d.from, d.rcpt}, raw, d.message_id);

    // 3. record
    std::string state = "pending";
    std::int64_t next = to_unix(now + retry_delay(attempts, unit(rng)));
    if (r.status == SendResult::Status::sent) {
      state = "sent";
      ++stats.sent;
    } else if (r.status == SendResult::Status::permanent_failure ||
               now - from_unix(d.created_at) >= policy.max_age) {
      state = "failed";
      ++stats.failed;
      // The relay refused the mailbox itself (5.1.x: no such user, bad address): as good as a
      // DSN, and the only bounce automatic mail ever gets (it goes out with the null sender,
      // and no MTA returns a DSN for that, RFC 5321 §4.5.5).
      if (r.status == SendResult::Status::permanent_failure) {
        const std::string status = enhanced_status(r.reply);
        if (status.rfind("5.1.", 0) == 0) record_hard_bounce(db, d.rcpt, d.message_id, status, now);
      }
    } else {
      ++stats.deferred;
    }
    record(state, next, r.reply);
    const std::string att = std::to_string(attempts);
    // Only the reply code: SMTP replies often echo the recipient's address.
    const int code = reply_code(r.reply);
    log_event(state == "sent" ? spdlog::level::info : spdlog::level::warn,
              state == "sent" ? "outbox_sent" : (state == "failed" ? "outbox_failed" : "outbox_deferred"),
              {{"outbox", id}, {"to", mask_address(d.rcpt)}, {"attempts", att},
               {"code", code ? std::to_string(code) : std::string("-")}});
    if (state == "pending" && server_level_failure(r)) {
      stats.server_unreachable = true;
      log_event(spdlog::level::warn, "smtp_unavailable",
                {{"code", code ? std::to_string(code) : std::string("-")},
                 {"detail", code ? std::string("server refused the session") : r.reply}});
      break;
    }
  }
  return stats;
}

}  // namespace madoguchi::daemon
