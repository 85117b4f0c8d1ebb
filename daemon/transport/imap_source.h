// imap_source.h — an IMAP mailbox (imaps:// or imap:// with STARTTLS) as a mail source, with
// exactly-once intake and IDLE.
//
// Exactly-once: the store keeps, per mailbox, UIDVALIDITY and the highest UID committed
// (Store::store_incoming commits the message row and that checkpoint together). pending()
// lists UIDs above the checkpoint, plus the marks still owed after a crash between commit and
// mark (Store::unmarked_uids); bodies are fetched with BODY.PEEK[] (never setting \Seen) in
// batches; the server is marked (\Seen, or MOVE / COPY+\Deleted+UID EXPUNGE to the configured
// folder — never an expunge without the copy) only in mark_processed(), which the pipeline
// calls after the commit. A changed UIDVALIDITY re-scans the whole folder and the store drops
// what it already has by content hash.
//
// Immediate: watch() starts a dedicated thread with its own connection that sits in IDLE
// (re-issued every 24 minutes, RFC 2177 asks for < 29) and calls the daemon back on EXISTS.
// A thread, not the Asio loop, because libcurl's easy handle is blocking per call and the
// daemon's passes are synchronous: the IDLE connection never competes with a fetch, and the
// loop only receives a posted "run a pass". Without IDLE the daemon's poll timer does it all.
//
// Failures: a failed connection is dropped and retried after an exponential backoff with
// jitter (1 s doubling to 5 min); while waiting, pending() returns nothing. One mailbox's
// failure never stops another's: each source has its own connections and backoff.
#pragma once

#include "daemon/transport/settings.h"
#include "daemon/transport/imap_connection.h"
#include "daemon/transport/mail_source.h"
#include "daemon/store/mailboxes.h"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <thread>

namespace madoguchi::daemon {

// imaps://host:port/Folder -> connection URL "imaps://host:port/" and folder "Folder"
// (percent-decoded; "INBOX" when the path is empty). nullopt for another scheme.
struct ImapUrl {
  std::string connect_url;
  std::string folder;
};
std::optional<ImapUrl> parse_imap_url(std::string_view url);

class ImapSource final : public MailSource {
 public:
  ImapSource(MailboxConfig config, Store& store);
  ~ImapSource() override;

  const std::string& name() const override { return config_.name; }
  std::vector<SourceItem> pending() override;
  std::string fetch(const SourceItem& item) override;
  void mark_processed(const SourceItem& item) override;
  void mark_all_processed(const std::vector<SourceItem>& items) override;
  void watch(std::function<void()> on_new_mail) override;
  void stop_watching() override;

  // The connection settings for this mailbox (credentials read now). Throws SourceError.
  ImapSettings settings() const;

  // Tuning, for tests and benchmarks.
  std::chrono::minutes idle_renew{24};
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_max{300000};

 private:
  ImapConnection& connection();
  template <class F> auto guarded(F&& f) -> decltype(f());
  void flush_marks();
  void fetch_batch(std::size_t from);
  void watch_loop(std::function<void()> on_new_mail);
  std::vector<std::int64_t> search(const std::string& criteria);

  struct Listed {
    SourceItem item;
    std::int64_t size = -1;
    bool stored = false;  // already committed: only its mark is owed
  };

  MailboxConfig config_;
  Store& store_;
  ImapUrl url_;
  std::unique_ptr<ImapConnection> conn_;
  std::int64_t uidvalidity_ = 0;
  std::vector<Listed> listed_;                  // the last pending() list, oldest first
  std::map<std::int64_t, std::size_t> index_;   // uid -> position in listed_
  std::map<std::int64_t, std::string> cache_;   // bodies fetched ahead in a batch
  // A UID whose batch FETCH ended the connection: it is fetched alone next, and if that ends
  // the connection too, that is this mail's failure (ItemError), not the server's.
  std::int64_t fetch_alone_ = 0;
  std::size_t fetching_ = 0;                    // UIDs in the FETCH in progress
  std::vector<std::int64_t> marks_;             // committed UIDs waiting for one STORE/MOVE

  int failures_ = 0;
  std::chrono::steady_clock::time_point retry_at_{};
  std::atomic<bool> server_back_{false};  // the IDLE thread reconnected: retry at once

  std::thread watcher_;
  std::atomic<bool> stopping_{false};
  int stop_fd_ = -1;
};

}  // namespace madoguchi::daemon
