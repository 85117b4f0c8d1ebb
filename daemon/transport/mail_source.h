// mail_source.h — one interface per intake edge (IMAP, Maildir, stdin), as small as a sink.
//
// The runner lists what is pending, fetches each item's raw bytes, commits them to the store
// (a batch of items at a time), and only then calls mark_processed() / mark_all_processed(): nothing is marked at the source before the state that
// justifies it is durable. A source never deletes mail.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace madoguchi::daemon {

struct SourceItem {
  std::string key;               // unique within the mailbox and stable across runs
  std::int64_t uidvalidity = 0;  // IMAP only
  std::int64_t uid = 0;          // IMAP only
  std::optional<std::chrono::sys_seconds> arrived;  // server/file arrival time when known
};

// A failure of the source (server down, permission denied): the runner retries later.
struct SourceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One item cannot be fetched while the source itself works (the server refuses that UID's
// FETCH, returns no body for it; a Maildir file that cannot be read). The runner stops the
// mailbox's pass at it and, after it failed this way `fetch_attempts` times, stores a stub
// for it and goes on (intake.h).
struct ItemError : SourceError {
  using SourceError::SourceError;
};

class MailSource {
 public:
  virtual ~MailSource() = default;
  virtual const std::string& name() const = 0;
  // Items not yet marked processed, oldest first. Throws SourceError.
  virtual std::vector<SourceItem> pending() = 0;
  // The raw bytes of one item. Throws ItemError when the item itself cannot be fetched, else
  // SourceError.
  virtual std::string fetch(const SourceItem& item) = 0;
  // Marks an item processed (Maildir: new/ -> cur/ with S; IMAP: \Seen or move). Throws
  // SourceError; the runner calls it again on the next pass (it must be idempotent).
  virtual void mark_processed(const SourceItem& item) = 0;
  // The same for the items of one committed batch, in order (IMAP: one UID STORE or MOVE for
  // the set). By default one mark_processed() each.
  virtual void mark_all_processed(const std::vector<SourceItem>& items) {
    for (const SourceItem& item : items) mark_processed(item);
  }

  // Starts watching for new mail (IMAP IDLE) and calls `on_new_mail` from any thread when
  // some may have arrived; the daemon then runs a pass at once. Sources that cannot watch
  // do nothing and are polled. stop_watching() is called before the source is destroyed.
  virtual void watch(std::function<void()> on_new_mail) { (void)on_new_mail; }
  virtual void stop_watching() {}
};

}  // namespace madoguchi::daemon
