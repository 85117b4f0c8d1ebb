// store.cpp — see store.h.
#include "daemon/store.h"

#include <openssl/evp.h>

#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace madoguchi::daemon {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

namespace {
[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void fsync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_errno("open " + dir.string());
  if (::fsync(fd) != 0) {
    ::close(fd);
    throw_errno("fsync " + dir.string());
  }
  ::close(fd);
}
}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view data) {
  auto tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw_errno("open " + tmp.string());
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      errno = saved;
      throw_errno("write " + tmp.string());
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int saved = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    errno = saved;
    throw_errno("fsync " + tmp.string());
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    throw_errno("rename " + tmp.string());
  }
  fsync_dir(path.parent_path());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::system_error(errno, std::generic_category(), "open " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {
constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS mailboxes (
  name TEXT PRIMARY KEY,
  uidvalidity INTEGER NOT NULL DEFAULT 0,
  last_uid INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY,
  mailbox TEXT NOT NULL,
  source_key TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL DEFAULT 0,
  uid INTEGER NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  stored_at INTEGER NOT NULL,
  suppress_auto_reply INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'fetched'
    CHECK (state IN ('fetched','parsed','classified','ticketed','failed')),
  message_id TEXT,
  subject TEXT,
  sender TEXT,
  warnings TEXT,
  desk TEXT,
  identity TEXT,
  tenant TEXT,
  outcome TEXT,
  action TEXT,
  rule TEXT,
  decision TEXT,
  ticket_id INTEGER REFERENCES tickets(id),
  direction TEXT NOT NULL DEFAULT 'in',
  error TEXT,
  UNIQUE (mailbox, source_key)
);
CREATE INDEX IF NOT EXISTS messages_state ON messages(state);
CREATE INDEX IF NOT EXISTS messages_message_id ON messages(message_id);
CREATE INDEX IF NOT EXISTS messages_ticket ON messages(ticket_id);
CREATE TABLE IF NOT EXISTS tickets (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  desk TEXT NOT NULL,
  tenant TEXT,
  requester TEXT NOT NULL,
  subject TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN
    ('queued','open','investigating','waiting_customer','awaiting_purchase','closed')),
  category TEXT,
  outcome TEXT,
  rule TEXT,
  reason TEXT,
  flagged INTEGER NOT NULL DEFAULT 0,
  received_at INTEGER NOT NULL,
  accepted_at INTEGER NOT NULL,
  first_response_due INTEGER,
  closed_at INTEGER,
  close_reason TEXT,
  created_at INTEGER NOT NULL,
  status_since INTEGER,
  parent_id INTEGER REFERENCES tickets(id),
  auto_close_warned_at INTEGER,
  requester_name TEXT,
  first_responded_at INTEGER,
  overdue_logged_at INTEGER
);
CREATE INDEX IF NOT EXISTS tickets_status ON tickets(status);
CREATE TABLE IF NOT EXISTS ticket_events (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id),
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  event TEXT NOT NULL,
  detail TEXT
);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER REFERENCES tickets(id),
  cause_message INTEGER REFERENCES messages(id),
  kind TEXT NOT NULL,
  template TEXT,
  envelope_from TEXT NOT NULL,
  recipient TEXT NOT NULL,
  message_id TEXT NOT NULL UNIQUE,
  raw BLOB NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending','sent','failed','bounced')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_reply TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, next_attempt_at);
CREATE TABLE IF NOT EXISTS auto_replies (
  recipient TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS auto_replies_recipient ON auto_replies(recipient, at);
CREATE TABLE IF NOT EXISTS outbox_bounces (
  recipient TEXT NOT NULL,
  at INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  status TEXT
);
CREATE INDEX IF NOT EXISTS outbox_bounces_recipient ON outbox_bounces(recipient, at);
CREATE INDEX IF NOT EXISTS messages_mailbox_sha256 ON messages(mailbox, sha256);
CREATE TABLE IF NOT EXISTS imap_unmarked (
  mailbox TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  PRIMARY KEY (mailbox, uidvalidity, uid)
);
)SQL";
// Columns added after stores were first created; an existing store gets them in place on
// open (ALTER TABLE … ADD COLUMN keeps every row), so an upgrade needs no manual step.
void add_missing_columns(SQLite::Database& db) {
  struct Added {
    const char* table;
    const char* column;
    const char* declaration;
  };
  static constexpr Added kAdded[] = {
      {"tickets", "parent_id", "INTEGER REFERENCES tickets(id)"},
      {"tickets", "auto_close_warned_at", "INTEGER"},
      {"tickets", "requester_name", "TEXT"},
      {"tickets", "first_responded_at", "INTEGER"},
      {"tickets", "overdue_logged_at", "INTEGER"},
  };
  for (const Added& a : kAdded) {
    SQLite::Statement q(db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
    q.bind(1, a.table);
    q.bind(2, a.column);
    if (!q.executeStep())
      db.exec(std::string("ALTER TABLE ") + a.table + " ADD COLUMN " + a.column + " " + a.declaration);
  }
}
}  // namespace

Store::Store(const std::filesystem::path& dir)
    : dir_(dir),
      db_((std::filesystem::create_directories(dir), (dir / "madoguchi.db").string()),
          SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX, 5000) {
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  std::filesystem::create_directories(dir / "spool");
  std::filesystem::permissions(dir / "spool", std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  db_.exec("PRAGMA journal_mode=WAL");
  db_.exec("PRAGMA synchronous=NORMAL");
  db_.exec("PRAGMA foreign_keys=ON");
  SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
  db_.exec(kSchema);
  add_missing_columns(db_);
  tx.commit();
}

std::filesystem::path Store::spool_path(std::string_view sha256) const {
  return dir_ / "spool" / std::string(sha256.substr(0, 2)) / (std::string(sha256) + ".eml");
}

IntakeResult Store::store_incoming(const IntakeRecord& record, std::string_view raw) {
  {
    SQLite::Statement q(db_, "SELECT id FROM messages WHERE mailbox = ? AND source_key = ?");
    q.bind(1, record.mailbox);
    q.bind(2, record.source_key);
    if (q.executeStep()) return {q.getColumn(0).getInt64(), true};
  }
  const std::string hash = sha256_hex(raw);
  // Checkpoint and owed server mark of an IMAP mail, inside the caller's transaction.
  auto checkpoint = [&] {
    if (record.uid <= 0) return;
    SQLite::Statement cp(db_,
                         "UPDATE mailboxes SET last_uid = MAX(last_uid, ?) "
                         "WHERE name = ? AND uidvalidity = ?");
    cp.bind(1, record.uid);
    cp.bind(2, record.mailbox);
    cp.bind(3, record.uidvalidity);
    cp.exec();
    SQLite::Statement owed(db_, "INSERT OR IGNORE INTO imap_unmarked (mailbox, uidvalidity, uid) "
                                "VALUES (?, ?, ?)");
    owed.bind(1, record.mailbox);
    owed.bind(2, record.uidvalidity);
    owed.bind(3, record.uid);
    owed.exec();
  };
  if (record.dedup_by_content) {
    SQLite::Statement q(db_, "SELECT id FROM messages WHERE mailbox = ? AND sha256 = ? LIMIT 1");
    q.bind(1, record.mailbox);
    q.bind(2, hash);
    if (q.executeStep()) {
      const std::int64_t id = q.getColumn(0).getInt64();
      SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
      checkpoint();
      tx.commit();
      return {id, true};
    }
  }
  const auto path = spool_path(hash);
  // Same bytes already spooled (e.g. the same mail in two mailboxes): reuse the file.
  if (!std::filesystem::exists(path)) {
    std::filesystem::create_directories(path.parent_path());
    write_file_atomically(path, raw);
  }
  SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
  SQLite::Statement ins(db_,
                        "INSERT INTO messages (mailbox, source_key, uidvalidity, uid, sha256, "
                        "size, received_at, stored_at, suppress_auto_reply) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, strftime('%s','now'), ?)");
  ins.bind(1, record.mailbox);
  ins.bind(2, record.source_key);
  ins.bind(3, record.uidvalidity);
  ins.bind(4, record.uid);
  ins.bind(5, hash);
  ins.bind(6, static_cast<std::int64_t>(raw.size()));
  ins.bind(7, to_unix(record.received_at));
  // messages.suppress_auto_reply: 0 answer, 1 old at the first run, 2 oversize (cut).
  ins.bind(8, record.oversize ? 2 : record.suppress_auto_reply ? 1 : 0);
  ins.exec();
  const std::int64_t id = db_.getLastInsertRowid();
  checkpoint();
  tx.commit();
  return {id, false};
}

std::optional<Store::MailboxState> Store::mailbox_state(std::string_view mailbox) {
  SQLite::Statement q(db_, "SELECT uidvalidity, last_uid, first_seen FROM mailboxes WHERE name = ?");
  q.bind(1, std::string(mailbox));
  if (!q.executeStep()) return std::nullopt;
  return MailboxState{q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
                      from_unix(q.getColumn(2).getInt64())};
}

void Store::set_mailbox_state(std::string_view mailbox, const MailboxState& state) {
  SQLite::Statement q(db_,
                      "INSERT INTO mailboxes (name, uidvalidity, last_uid, first_seen) "
                      "VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                      "uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid");
  q.bind(1, std::string(mailbox));
  q.bind(2, state.uidvalidity);
  q.bind(3, state.last_uid);
  q.bind(4, to_unix(state.first_seen));
  q.exec();
}

std::optional<std::int64_t> Store::find_message(std::string_view mailbox,
                                                std::string_view source_key) {
  SQLite::Statement q(db_, "SELECT id FROM messages WHERE mailbox = ? AND source_key = ?");
  q.bind(1, std::string(mailbox));
  q.bind(2, std::string(source_key));
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getInt64();
}

std::vector<std::int64_t> Store::unmarked_uids(std::string_view mailbox, std::int64_t uidvalidity) {
  SQLite::Statement q(db_, "SELECT uid FROM imap_unmarked WHERE mailbox = ? AND uidvalidity = ? "
                           "ORDER BY uid");
  q.bind(1, std::string(mailbox));
  q.bind(2, uidvalidity);
  std::vector<std::int64_t> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getInt64());
  return out;
}

void Store::forget_unmarked(std::string_view mailbox, std::int64_t uidvalidity,
                            const std::vector<std::int64_t>& uids) {
  if (uids.empty()) return;
  SQLite::Transaction tx(db_, SQLite::TransactionBehavior::IMMEDIATE);
  SQLite::Statement q(db_, "DELETE FROM imap_unmarked WHERE mailbox = ? AND uidvalidity = ? AND uid = ?");
  for (std::int64_t uid : uids) {
    q.bind(1, std::string(mailbox));
    q.bind(2, uidvalidity);
    q.bind(3, uid);
    q.exec();
    q.reset();
  }
  tx.commit();
}

void Store::forget_unmarked_except(std::string_view mailbox, std::int64_t uidvalidity) {
  SQLite::Statement q(db_, "DELETE FROM imap_unmarked WHERE mailbox = ? AND uidvalidity != ?");
  q.bind(1, std::string(mailbox));
  q.bind(2, uidvalidity);
  q.exec();
}

}  // namespace madoguchi::daemon
