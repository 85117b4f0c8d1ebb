// tickets.cpp — see tickets.h.
#include "daemon/tickets.h"

#include "daemon/store.h"

#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdio>
#include <stdexcept>

namespace madoguchi::daemon {

TagKey TagKey::load_or_create(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    std::string key = read_file(file);
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (key.size() < 16) throw std::runtime_error("tag key " + file.string() + " is shorter than 16 bytes");
    return TagKey(std::move(key));
  }
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("cannot generate a tag key");
  std::string key(reinterpret_cast<const char*>(raw), sizeof raw);
  std::filesystem::create_directories(file.parent_path());
  write_file_atomically(file, key);
  return TagKey(std::move(key));
}

std::string TagKey::check(std::string_view number) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(number.data()), number.size(), mac, &len);
  static const char* alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  const unsigned v = (unsigned(mac[0]) << 16) | (unsigned(mac[1]) << 8) | mac[2];
  return {alphabet[(v >> 19) & 31], alphabet[(v >> 14) & 31], alphabet[(v >> 9) & 31]};
}

std::string TagKey::tag(std::string_view number) const {
  return "[#" + std::string(number) + "-" + check(number) + "]";
}

std::string ticket_number(std::int64_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "MG-%06lld", static_cast<long long>(id));
  return buf;
}

std::optional<TagInSubject> find_ticket_tag(std::string_view subject) {
  for (std::size_t pos = subject.find("[#MG-"); pos != std::string_view::npos;
       pos = subject.find("[#MG-", pos + 1)) {
    std::size_t i = pos + 5;
    std::size_t digits = 0;
    while (i < subject.size() && subject[i] >= '0' && subject[i] <= '9') ++i, ++digits;
    if (digits < 6 || i >= subject.size()) continue;
    TagInSubject tag{std::string(subject.substr(pos + 2, 3 + digits)), std::nullopt};
    if (subject[i] == ']') return tag;
    if (subject[i] != '-') continue;
    const std::size_t start = ++i;
    while (i < subject.size() && std::isalnum(static_cast<unsigned char>(subject[i]))) ++i;
    if (i < subject.size() && subject[i] == ']' && i > start) {
      std::string check(subject.substr(start, i - start));
      for (auto& c : check) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      tag.check = std::move(check);
      return tag;
    }
  }
  return std::nullopt;
}

TicketRow create_ticket(SQLite::Database& db, const NewTicket& t, std::chrono::sys_seconds now) {
  SQLite::Statement ins(db,
                        "INSERT INTO tickets (number, desk, tenant, requester, subject, status, "
                        "outcome, rule, reason, flagged, received_at, accepted_at, "
                        "first_response_due, created_at, parent_id, requester_name) "
                        "VALUES ('', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ins.bind(1, t.desk);
  if (t.tenant) ins.bind(2, *t.tenant); else ins.bind(2);
  ins.bind(3, t.requester);
  ins.bind(4, t.subject);
  ins.bind(5, t.status);
  ins.bind(6, t.outcome);
  if (t.rule) ins.bind(7, *t.rule); else ins.bind(7);
  if (t.reason) ins.bind(8, *t.reason); else ins.bind(8);
  ins.bind(9, t.flagged ? 1 : 0);
  ins.bind(10, to_unix(t.received_at));
  ins.bind(11, to_unix(t.accepted_at));
  if (t.first_response_due) ins.bind(12, to_unix(*t.first_response_due)); else ins.bind(12);
  ins.bind(13, to_unix(now));
  if (t.parent) ins.bind(14, *t.parent); else ins.bind(14);
  ins.bind(15, t.requester_name);
  ins.exec();
  const std::int64_t id = db.getLastInsertRowid();
  const std::string number = ticket_number(id);
  SQLite::Statement upd(db, "UPDATE tickets SET number = ? WHERE id = ?");
  upd.bind(1, number);
  upd.bind(2, id);
  upd.exec();
  return {id, number, t.status, t.desk, t.tenant, t.requester, t.subject, std::nullopt,
          t.requester_name};
}

namespace {
constexpr const char* kTicketColumns =
    "SELECT id, number, status, desk, tenant, requester, subject, closed_at, "
    "COALESCE(requester_name, '') FROM tickets ";

TicketRow read_ticket(SQLite::Statement& q) {
  TicketRow t;
  t.id = q.getColumn(0).getInt64();
  t.number = q.getColumn(1).getString();
  t.status = q.getColumn(2).getString();
  t.desk = q.getColumn(3).getString();
  if (!q.getColumn(4).isNull()) t.tenant = q.getColumn(4).getString();
  t.requester = q.getColumn(5).getString();
  t.subject = q.getColumn(6).getString();
  if (!q.getColumn(7).isNull()) t.closed_at = from_unix(q.getColumn(7).getInt64());
  t.requester_name = q.getColumn(8).getString();
  return t;
}
}  // namespace

std::optional<TicketRow> load_ticket(SQLite::Database& db, std::int64_t id) {
  SQLite::Statement q(db, std::string(kTicketColumns) + "WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return read_ticket(q);
}

std::optional<TicketRow> load_ticket(SQLite::Database& db, std::string_view number) {
  SQLite::Statement q(db, std::string(kTicketColumns) + "WHERE number = ?");
  q.bind(1, std::string(number));
  if (!q.executeStep()) return std::nullopt;
  return read_ticket(q);
}

void add_ticket_event(SQLite::Database& db, std::int64_t ticket_id, std::chrono::sys_seconds at,
                      std::string_view actor, std::string_view event, std::string_view detail) {
  SQLite::Statement ins(db,
                        "INSERT INTO ticket_events (ticket_id, at, actor, event, detail) "
                        "VALUES (?, ?, ?, ?, ?)");
  ins.bind(1, ticket_id);
  ins.bind(2, to_unix(at));
  ins.bind(3, std::string(actor));
  ins.bind(4, std::string(event));
  ins.bind(5, std::string(detail));
  ins.exec();
}

void set_ticket_status(SQLite::Database& db, const TicketRow& ticket, std::string_view status,
                       std::chrono::sys_seconds now, std::string_view actor,
                       std::string_view close_reason) {
  if (status == "closed") {
    SQLite::Statement upd(db, "UPDATE tickets SET status = 'closed', closed_at = ?, close_reason = ? WHERE id = ?");
    upd.bind(1, to_unix(now));
    upd.bind(2, std::string(close_reason));
    upd.bind(3, ticket.id);
    upd.exec();
    add_ticket_event(db, ticket.id, now, actor, "ticket_closed", close_reason);
    return;
  }
  SQLite::Statement upd(db,
                        "UPDATE tickets SET status = ?, closed_at = NULL, close_reason = NULL, "
                        "status_since = ? WHERE id = ?");
  upd.bind(1, std::string(status));
  upd.bind(2, to_unix(now));
  upd.bind(3, ticket.id);
  upd.exec();
  add_ticket_event(db, ticket.id, now, actor,
                   ticket.status == "closed" ? "ticket_reopened" : "status_changed",
                   ticket.status + " -> " + std::string(status));
}

ThreadResult find_thread(SQLite::Database& db, const parsers::ParsedMail& mail, const TagKey& key,
                         const std::function<bool(const TicketRow&)>& trusted) {
  ThreadResult result;
  if (auto tag = find_ticket_tag(mail.subject)) {
    if (auto t = load_ticket(db, tag->number)) {
      if (tag->check && *tag->check == key.check(tag->number)) {
        result.match = ThreadMatch{*t, ThreadVia::verified_tag};
        return result;
      }
      if (trusted(*t)) {
        result.match = ThreadMatch{*t, ThreadVia::trusted_sender_tag};
        return result;
      }
    }
    result.rejected_tag = tag->number;
  }
  std::vector<std::string> ids;
  if (!mail.in_reply_to.empty()) ids.push_back(mail.in_reply_to);
  for (auto it = mail.references.rbegin(); it != mail.references.rend(); ++it) ids.push_back(*it);
  for (const auto& id : ids) {
    SQLite::Statement q(db,
                        "SELECT ticket_id FROM outbox WHERE message_id = ? AND ticket_id IS NOT NULL "
                        "UNION ALL SELECT ticket_id FROM messages WHERE message_id = ? AND "
                        "ticket_id IS NOT NULL LIMIT 1");
    q.bind(1, id);
    q.bind(2, id);
    if (q.executeStep()) {
      if (auto t = load_ticket(db, q.getColumn(0).getInt64())) {
        result.match = ThreadMatch{*t, ThreadVia::message_id};
        return result;
      }
    }
  }
  return result;
}

}  // namespace madoguchi::daemon
