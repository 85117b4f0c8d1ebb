// store.h — the durable state: one SQLite database (WAL) and the spool of raw mails, in one
// directory. The store/ library is the only code that speaks SQL (a CTest check holds it).
//
// Postfix's queue directories, as tables: a message moves fetched -> parsed -> classified ->
// ticketed (or failed), an outgoing mail pending -> sent | failed | bounced, one transaction
// per step. Functions that write take a Transaction&, so "inside the caller's transaction" is
// a type, not a comment; a change of state names the state it expects, and when another
// process got there first it changes nothing and says so (StateConflict or a false result).
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>

namespace madoguchi::daemon {

inline std::int64_t to_unix(std::chrono::sys_seconds t) { return t.time_since_epoch().count(); }
inline std::chrono::sys_seconds from_unix(std::int64_t s) {
  return std::chrono::sys_seconds{std::chrono::seconds{s}};
}

// A row was not in the state the change expected: another process (`run`, `deliver`, the
// CLI) changed it first. The transaction is rolled back; nothing of this attempt remains.
struct StateConflict : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The database is busy or locked by another connection for longer than the busy timeout
// (SQLITE_BUSY, SQLITE_LOCKED): nothing was changed, the step can be tried again later.
bool is_busy(const std::exception& e);

// The disk of the store is full (SQLITE_FULL, or ENOSPC / EDQUOT writing the spool): nothing
// of the step was kept; intake and processing stop until space returns (`store_full`).
bool is_store_full(const std::exception& e);

struct StoreOptions {
  // How long one statement waits for another connection's lock before SQLITE_BUSY.
  std::chrono::milliseconds busy_timeout{5000};
  // How long opening waits, retrying with backoff, for a lock its migrations need.
  std::chrono::milliseconds open_wait{120000};
};

class Store {
 public:
  // Opens (creating when needed) `dir`/madoguchi.db and `dir`/spool with owner-only modes,
  // WAL, foreign keys, a busy timeout, and applies the numbered migrations the database does
  // not have yet (PRAGMA user_version); a database already at this version takes no write
  // lock, and one that needs migrating waits up to options.open_wait for a held lock
  // (store_busy is logged). Throws on failure, and for a database written by a newer
  // madoguchi (start-up errors).
  explicit Store(const std::filesystem::path& dir, StoreOptions options = {});

  const std::filesystem::path& dir() const { return dir_; }
  // The spool path of a message's raw bytes.
  std::filesystem::path spool_path(std::string_view sha256) const;
  // The connection, for store/ functions and for tests that count rows.
  SQLite::Database& db() { return db_; }

 private:
  std::filesystem::path dir_;
  SQLite::Database db_;
};

// A write transaction (BEGIN IMMEDIATE: the write lock is taken at once, so what is read
// inside it stays true until commit). Rolled back when destroyed without commit().
// How far a commit is on disk when commit() returns. The store runs WAL with
// synchronous=NORMAL: a commit survives a crash of the process at once, and a power loss or an
// OS crash once the WAL is next synced — commits are never reordered, so a lost one takes only
// later ones with it, and every stage is redone from the spool. A `synced` commit syncs the WAL
// (this commit and every earlier one, of any process) before it returns: for the commits that
// something outside the store acts on — the stored mail before its mark on the server or the
// MTA's exit 0, and an SMTP 250 before the next send.
enum class Durability { normal, synced };

class Transaction {
 public:
  explicit Transaction(Store& store, Durability durability = Durability::normal);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();
  Store& store() { return store_; }
  SQLite::Database& db() { return store_.db(); }

 private:
  Store& store_;
  bool synced_;
  std::optional<SQLite::Transaction> tx_;
};

// The schema version this build writes (the number of its migrations).
int schema_version();
// The version a database is at (PRAGMA user_version).
int schema_version(Store& store);

}  // namespace madoguchi::daemon
