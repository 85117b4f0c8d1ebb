// store.h — the durable state: SQLite (WAL) plus a spool of raw mails named by SHA-256.
//
// Postfix's queue directories, as tables: a message moves fetched -> parsed -> classified ->
// ticketed (or failed), an outgoing mail pending -> sent | failed | bounced, one transaction
// per step. Raw bytes are written to the spool (temp file, fsync, rename, fsync dir) before
// the row that names them is committed, so a committed row always has its bytes.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::daemon {

// Hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// Writes `data` to `path` atomically with mode 0600: temp file in the same directory, fsync,
// rename, fsync of the directory. Throws std::system_error on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view data);

// Reads a whole file. Throws std::system_error on failure.
std::string read_file(const std::filesystem::path& path);

inline std::int64_t to_unix(std::chrono::sys_seconds t) { return t.time_since_epoch().count(); }
inline std::chrono::sys_seconds from_unix(std::int64_t s) {
  return std::chrono::sys_seconds{std::chrono::seconds{s}};
}

// Where a mail came from: the mailbox and the source's key for it (IMAP "UIDVALIDITY:UID",
// a Maildir file's unique name, "stdin:<sha256>").
struct IntakeRecord {
  std::string mailbox;
  std::string source_key;
  std::int64_t uidvalidity = 0;  // 0 when the source has none
  std::int64_t uid = 0;
  std::chrono::sys_seconds received_at{};
  bool suppress_auto_reply = false;  // first-run cutoff, oversize mail
  bool oversize = false;             // cut at the mailbox's max_message_size
  // IMAP: the same bytes already stored from this mailbox (under another UIDVALIDITY:UID,
  // after a UIDVALIDITY change) are a duplicate. The hash covers the Message-ID header, so a
  // reused Message-ID with different content is a new mail.
  bool dedup_by_content = false;
};

struct IntakeResult {
  std::int64_t message_id = 0;  // row id
  bool duplicate = false;       // this (mailbox, source_key) was already stored
};

class Store {
 public:
  // Opens (creating when needed) `dir`/madoguchi.db and `dir`/spool with owner-only modes,
  // WAL, foreign keys, busy timeout; applies the schema. Throws on failure (start-up).
  explicit Store(const std::filesystem::path& dir);

  SQLite::Database& db() { return db_; }
  const std::filesystem::path& dir() const { return dir_; }

  // Stores raw bytes in the spool and the message row (state `fetched`) in one transaction,
  // together with the mailbox's UID checkpoint when uid > 0. Idempotent per source_key.
  IntakeResult store_incoming(const IntakeRecord& record, std::string_view raw);

  // The spool path of a message's raw bytes.
  std::filesystem::path spool_path(std::string_view sha256) const;

  // Mailbox checkpoint (IMAP): UIDVALIDITY and highest committed UID; nullopt before the
  // first run.
  struct MailboxState {
    std::int64_t uidvalidity = 0;
    std::int64_t last_uid = 0;
    std::chrono::sys_seconds first_seen{};
  };
  std::optional<MailboxState> mailbox_state(std::string_view mailbox);
  void set_mailbox_state(std::string_view mailbox, const MailboxState& state);

  // The message row stored from (mailbox, source_key), if any.
  std::optional<std::int64_t> find_message(std::string_view mailbox, std::string_view source_key);

  // IMAP marks owed to the server: store_incoming records (mailbox, UIDVALIDITY, UID) in the
  // commit of the message; the source forgets it once \Seen / MOVE succeeded. After a crash
  // between commit and mark these are marked again, and nothing else is re-marked.
  std::vector<std::int64_t> unmarked_uids(std::string_view mailbox, std::int64_t uidvalidity);
  void forget_unmarked(std::string_view mailbox, std::int64_t uidvalidity,
                       const std::vector<std::int64_t>& uids);
  // Drops owed marks of other UIDVALIDITY values (their UIDs mean nothing any more).
  void forget_unmarked_except(std::string_view mailbox, std::int64_t uidvalidity);

 private:
  std::filesystem::path dir_;
  SQLite::Database db_;
};

}  // namespace madoguchi::daemon
