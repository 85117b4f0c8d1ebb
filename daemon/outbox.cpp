// outbox.cpp — see outbox.h.
#include "daemon/outbox.h"

#include "daemon/log.h"
#include "daemon/store.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace madoguchi::daemon {

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

DeliveryStats deliver_due(SQLite::Database& db, MailSink& sink, std::chrono::sys_seconds now,
                          std::chrono::seconds max_age) {
  struct Due {
    std::int64_t id;
    std::string from, rcpt, message_id, raw;
    int attempts;
    std::int64_t created_at;
  };
  std::vector<Due> due;
  {
    SQLite::Statement q(db,
                        "SELECT id, envelope_from, recipient, message_id, raw, attempts, "
                        "created_at FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? "
                        "ORDER BY id");
    q.bind(1, to_unix(now));
    while (q.executeStep()) {
      const auto& blob = q.getColumn(4);
      due.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                     q.getColumn(2).getString(), q.getColumn(3).getString(),
                     std::string(static_cast<const char*>(blob.getBlob()),
                                 static_cast<std::size_t>(blob.getBytes())),
                     q.getColumn(5).getInt(), q.getColumn(6).getInt64()});
    }
  }
  DeliveryStats stats;
  for (const auto& d : due) {
    const SendResult r = sink.send({d.from, d.rcpt}, d.raw, d.message_id);
    const int attempts = d.attempts + 1;
    std::string state = "pending";
    std::int64_t next = to_unix(now + retry_delay(attempts));
    if (r.status == SendResult::Status::sent) {
      state = "sent";
      ++stats.sent;
    } else if (r.status == SendResult::Status::permanent_failure ||
               now - from_unix(d.created_at) >= max_age) {
      state = "failed";
      ++stats.failed;
    } else {
      ++stats.deferred;
    }
    SQLite::Statement upd(db,
                          "UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?, "
                          "last_reply = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END "
                          "WHERE id = ?");
    upd.bind(1, state);
    upd.bind(2, attempts);
    upd.bind(3, next);
    upd.bind(4, r.reply);
    upd.bind(5, state);
    upd.bind(6, to_unix(now));
    upd.bind(7, d.id);
    upd.exec();
    const std::string id = std::to_string(d.id);
    const std::string att = std::to_string(attempts);
    // Only the reply code: SMTP replies often echo the recipient's address.
    const std::string code = r.reply.size() >= 3 && std::isdigit(static_cast<unsigned char>(r.reply[0]))
                                 ? r.reply.substr(0, 3) : std::string("-");
    log_event(state == "sent" ? spdlog::level::info : spdlog::level::warn,
              state == "sent" ? "outbox_sent" : (state == "failed" ? "outbox_failed" : "outbox_deferred"),
              {{"outbox", id}, {"to", mask_address(d.rcpt)}, {"attempts", att}, {"code", code}});
  }
  return stats;
}

}  // namespace madoguchi::daemon
