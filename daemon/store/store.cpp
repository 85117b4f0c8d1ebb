// store.cpp — see store.h. The schema lives here as numbered migrations: migration N brings a
// database from user_version N-1 to N in one transaction. A migration is never edited after
// it shipped; a change is a new migration.
#include "daemon/store/store.h"

#include "daemon/log/log.h"
#include "daemon/store/spool.h"
#include "daemon/store/states.h"

#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace madoguchi::daemon {
namespace {

// Version 1: the schema as it stood when migrations were numbered. Stores created before
// that are at user_version 0 and may have every table but not every column; CREATE … IF NOT
// EXISTS plus the added columns bring both a new and such an old store to version 1.
std::string schema_v1() {
  return R"SQL(
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
    CHECK (state IN )SQL" + sql_value_list<MessageState>() + R"SQL(),
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
CREATE INDEX IF NOT EXISTS messages_mailbox_sha256 ON messages(mailbox, sha256);
CREATE TABLE IF NOT EXISTS tickets (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  desk TEXT NOT NULL,
  tenant TEXT,
  requester TEXT NOT NULL,
  subject TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN )SQL" + sql_value_list<TicketStatus>() + R"SQL(),
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
    CHECK (state IN )SQL" + sql_value_list<OutboxState>() + R"SQL(),
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
CREATE TABLE IF NOT EXISTS imap_unmarked (
  mailbox TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  PRIMARY KEY (mailbox, uidvalidity, uid)
);
)SQL";
}

void migrate_to_v1(SQLite::Database& db) {
  db.exec(schema_v1());
  // Columns that stores from before numbered migrations may lack; ADD COLUMN keeps every row.
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

// Version 2: per-sender events for the staff-notice limit and the failed tag checks.
void migrate_to_v2(SQLite::Database& db) {
  db.exec(R"SQL(
CREATE TABLE sender_events (
  kind TEXT NOT NULL CHECK (kind IN ('staff_notice','tag_rejected')),
  sender TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX sender_events_sender ON sender_events(sender, kind, at);
)SQL");
}

// Version 3: other source keys of a stored mail. A mail whose bytes are already stored from
// the same mailbox under another key (a Maildir file renamed by a client or by Dovecot, an
// IMAP mail after a UIDVALIDITY change) is recorded here, so it is known by its new key too
// and is neither stored twice nor read again on every pass.
void migrate_to_v3(SQLite::Database& db) {
  db.exec(R"SQL(
CREATE TABLE message_aliases (
  mailbox TEXT NOT NULL,
  source_key TEXT NOT NULL,
  message INTEGER NOT NULL REFERENCES messages(id),
  PRIMARY KEY (mailbox, source_key)
);
)SQL");
}

// Version 4 (issue 14): failed processing attempts of an incoming mail — how many, the time
// before which it is not tried again (the last error is `error`); stubs: rows for mail that
// could not be fetched at all, whose spool file says why; and the failed fetches counted
// towards a stub.
void migrate_to_v4(SQLite::Database& db) {
  db.exec(R"SQL(
ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN retry_at INTEGER;
ALTER TABLE messages ADD COLUMN stub INTEGER NOT NULL DEFAULT 0;
CREATE TABLE fetch_failures (
  mailbox TEXT NOT NULL,
  source_key TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  PRIMARY KEY (mailbox, source_key)
);
)SQL");
}

// Migration N (1-based) is migrations()[N-1].
const std::vector<std::function<void(SQLite::Database&)>>& migrations() {
  static const std::vector<std::function<void(SQLite::Database&)>> all{migrate_to_v1, migrate_to_v2, migrate_to_v3,
                                                                            migrate_to_v4};
  return all;
}

int user_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

void migrate(SQLite::Database& db, const std::filesystem::path& file) {
  const int latest = static_cast<int>(migrations().size());
  // Up to date (every start but the first after an upgrade): no write lock is needed, so a
  // long transaction of another process does not hold up the start.
  if (user_version(db) == latest) return;
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  const int current = user_version(db);
  if (current > latest)
    throw std::runtime_error(file.string() + ": schema version " + std::to_string(current) +
                             " is newer than this madoguchi's (" + std::to_string(latest) +
                             "); run the newer version or restore a backup");
  for (int v = current; v < latest; ++v) {
    migrations()[static_cast<std::size_t>(v)](db);
    db.exec("PRAGMA user_version = " + std::to_string(v + 1));
  }
  tx.commit();
}

}  // namespace

Store::Store(const std::filesystem::path& dir, StoreOptions options)
    : dir_(dir),
      db_((std::filesystem::create_directories(dir), (dir / "madoguchi.db").string()),
          SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX,
          static_cast<int>(options.busy_timeout.count())) {
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  std::filesystem::create_directories(dir / "spool");
  std::filesystem::permissions(dir / "spool", std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  // Another process may hold the write lock for longer than the busy timeout (a long
  // `deliver`, an operator's sqlite3 shell): wait for it with backoff instead of failing.
  const auto deadline = std::chrono::steady_clock::now() + options.open_wait;
  for (std::chrono::milliseconds pause{100};; pause = std::min(pause * 2, std::chrono::milliseconds(5000))) {
    try {
      db_.exec("PRAGMA journal_mode=WAL");
      // NORMAL, with the commits that something outside acts on synced (Durability::synced,
      // store.h): FULL on every commit cost 7x the intake time in bench/ingest.
      db_.exec("PRAGMA synchronous=NORMAL");
      db_.exec("PRAGMA foreign_keys=ON");
      migrate(db_, dir / "madoguchi.db");
      return;
    } catch (const SQLite::Exception& e) {
      if (!is_busy(e) || std::chrono::steady_clock::now() + pause > deadline) throw;
      log_event(spdlog::level::warn, Event::store_busy,
                {{"during", "open"}, {"retry_ms", std::to_string(pause.count())}});
      std::this_thread::sleep_for(pause);
    }
  }
}

bool is_busy(const std::exception& e) {
  const auto* sql = dynamic_cast<const SQLite::Exception*>(&e);
  if (!sql) return false;
  const int code = sql->getErrorCode() & 0xff;
  return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

bool is_store_full(const std::exception& e) {
  if (const auto* sql = dynamic_cast<const SQLite::Exception*>(&e)) return (sql->getErrorCode() & 0xff) == SQLITE_FULL;
  if (const auto* sys = dynamic_cast<const std::system_error*>(&e))
    return sys->code() == std::errc::no_space_on_device || sys->code().value() == EDQUOT;
  return false;
}

std::filesystem::path Store::spool_path(std::string_view sha256) const {
  return daemon::spool_path(dir_, sha256);
}

Transaction::Transaction(Store& store, Durability durability)
    : store_(store), synced_(durability == Durability::synced) {
  // synchronous is per connection, and SQLite refuses to change it inside a transaction:
  // set before BEGIN, set back after COMMIT or ROLLBACK.
  if (synced_) store_.db().exec("PRAGMA synchronous=FULL");
  try {
    tx_.emplace(store_.db(), SQLite::TransactionBehavior::IMMEDIATE);
  } catch (...) {
    if (synced_) store_.db().exec("PRAGMA synchronous=NORMAL");
    throw;
  }
}

void Transaction::commit() {
  tx_->commit();
  if (synced_) {
    synced_ = false;
    store_.db().exec("PRAGMA synchronous=NORMAL");
  }
}

Transaction::~Transaction() {
  if (!synced_) return;  // (SQLite::Transaction rolls back what was not committed)
  try {
    store_.db().exec("ROLLBACK");
    store_.db().exec("PRAGMA synchronous=NORMAL");
  } catch (...) {
  }
}

int schema_version() { return static_cast<int>(migrations().size()); }
int schema_version(Store& store) { return user_version(store.db()); }

}  // namespace madoguchi::daemon
