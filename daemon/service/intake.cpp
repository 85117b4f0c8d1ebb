// intake.cpp — see intake.h.
#include "daemon/service/intake.h"

#include "daemon/log/log.h"
#include "daemon/store/mailboxes.h"
#include "daemon/store/messages.h"

namespace madoguchi::daemon {
namespace {

// A batch is committed in one synced transaction (and its spool files with one fsync of each
// directory), then marked at the source in one go: the syncs are paid per batch, not per mail.
// Bounded (IntakeBatch) so that memory stays small and a failure redoes little.

// A fetched item waiting for its batch's commit.
struct Fetched {
  SourceItem item;
  std::string raw{};
  IntakeRecord record{};
  bool old_at_first_run = false;
};

class Batch {
 public:
  Batch(Context& ctx, MailSource& source, IntakeBatch limits) : ctx_(ctx), source_(source), limits_(limits) {}

  bool full() const { return mails_.size() >= limits_.max_mails || bytes_ >= limits_.max_bytes; }
  void add(Fetched f) {
    bytes_ += f.raw.size();
    mails_.push_back(std::move(f));
  }

  // Commits the batch (spool, rows, checkpoints and owed marks, synced) and only then, when
  // `mark`, marks its items at the source; the number of new messages. Unmarked items (the
  // source failed) are committed all the same: their marks are owed and redone next pass.
  int commit(bool mark) {
    if (mails_.empty()) return 0;
    std::vector<IncomingMail> in;
    in.reserve(mails_.size());
    for (const Fetched& f : mails_) in.push_back({f.record, f.raw});
    const std::vector<IntakeResult> results = store_incoming(ctx_.store, in);
    for (const Fetched& f : mails_)
      if (!f.record.stub_error.empty()) clear_fetch_failures(ctx_.store, source_.name(), f.item.key);
    int stored = 0;
    for (std::size_t i = 0; i < mails_.size(); ++i) log_result(mails_[i], results[i], stored);
    std::vector<SourceItem> items;
    for (Fetched& f : mails_) items.push_back(std::move(f.item));
    mails_.clear();
    bytes_ = 0;
    if (mark) source_.mark_all_processed(items);
    return stored;
  }

 private:
  void log_result(const Fetched& f, const IntakeResult& r, int& stored) {
    if (r.duplicate) {
      log_event(spdlog::level::info, Event::mail_duplicate,
                {{"mailbox", source_.name()}, {"message", std::to_string(r.message_id)}, {"key", f.item.key}});
      return;
    }
    ++stored;
    log_event(spdlog::level::info, Event::mail_stored,
              {{"mailbox", source_.name()}, {"message", std::to_string(r.message_id)},
               {"size", std::to_string(f.raw.size())}, {"first_run_old", f.old_at_first_run ? "true" : "false"},
               {"oversize", f.record.oversize ? "true" : "false"}});
  }

  Context& ctx_;
  MailSource& source_;
  IntakeBatch limits_;
  std::vector<Fetched> mails_;
  std::size_t bytes_ = 0;
};

}  // namespace

int intake(Context& ctx, MailSource& source, const MailboxConfig& mailbox, const BetweenMails& between_mails,
           IntakeBatch limits) {
  const auto now = ctx.now();
  auto state = mailbox_state(ctx.store, source.name());
  if (!state) {
    // First run. An IMAP source replaces the 0 with the server's UIDVALIDITY in pending(),
    // before anything is stored under it; first_seen stays.
    set_mailbox_state(ctx.store, source.name(), {0, 0, now});
    state = mailbox_state(ctx.store, source.name());
  }
  int stored = 0;
  Batch batch(ctx, source, limits);
  for (const SourceItem& item : source.pending()) {
    if (between_mails) between_mails();
    // Committed earlier, its mark lost in a crash: mark it again without fetching it.
    if (find_message(ctx.store, source.name(), item.key)) {
      source.mark_processed(item);
      continue;
    }
    Fetched f;
    f.item = item;
    try {
      f.raw = source.fetch(item);
    } catch (const ItemError& e) {
      // This item, not the source: counted across passes; the pass stops at it (an IMAP
      // checkpoint must not pass it) until a stub stands in for it and the mailbox goes on.
      // The mails before it are kept.
      const int failures = record_fetch_failure(ctx.store, source.name(), item.key);
      log_event(spdlog::level::warn, Event::fetch_failed,
                {{"mailbox", source.name()}, {"key", item.key}, {"attempts", std::to_string(failures)},
                 {"of", std::to_string(ctx.settings.fetch_attempts)}, {"error", e.what()}});
      if (failures < ctx.settings.fetch_attempts) break;
      f.record.stub_error = "mailbox " + source.name() + ", item " + item.key + " could not be fetched " +
                            std::to_string(failures) + " times: " + e.what();
      f.raw = "X-Madoguchi-Stub: " + item.key + "\r\n\r\n" + f.record.stub_error + "\r\n";
    } catch (const SourceError&) {
      // The source failed (connection lost): what was fetched is kept, its marks stay owed.
      stored += batch.commit(false);
      throw;
    }
    // IMAP fetches at most the limit; other sources are cut here, so every source stores alike.
    if (f.raw.size() > mailbox.max_message_size) f.raw.resize(mailbox.max_message_size);
    IntakeRecord& rec = f.record;
    rec.mailbox = source.name();
    rec.source_key = item.key;
    rec.uidvalidity = item.uidvalidity;
    rec.uid = item.uid;
    rec.received_at = item.arrived.value_or(now);
    // Identity within a mailbox is the content, as a key may change: IMAP after a UIDVALIDITY
    // change, a Maildir file renamed by a client or by Dovecot (stdin's key is its hash).
    rec.dedup_by_content = true;
    // Safe first start: mail that was already older than the cutoff when the mailbox was
    // first seen is ticketed without replies (also when that first run was cut by a crash).
    f.old_at_first_run = item.arrived && *item.arrived < state->first_seen - mailbox.first_run_cutoff;
    // Oversize mail (cut at max_message_size): for staff, never answered.
    rec.oversize = f.raw.size() >= mailbox.max_message_size;
    rec.suppress_auto_reply = f.old_at_first_run || rec.oversize;
    batch.add(std::move(f));
    // Marked at the source only once the batch is committed (a duplicate was committed
    // earlier and its mark was lost in a crash: it is marked again).
    if (batch.full()) stored += batch.commit(true);
  }
  stored += batch.commit(true);
  return stored;
}

}  // namespace madoguchi::daemon
