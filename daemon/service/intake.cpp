// intake.cpp — see intake.h.
#include "daemon/service/intake.h"

#include "daemon/log/log.h"
#include "daemon/store/mailboxes.h"
#include "daemon/store/messages.h"

namespace madoguchi::daemon {

int intake(Context& ctx, MailSource& source, const MailboxConfig& mailbox, const BetweenMails& between_mails) {
  const auto now = ctx.now();
  auto state = mailbox_state(ctx.store, source.name());
  if (!state) {
    // First run. An IMAP source replaces the 0 with the server's UIDVALIDITY in pending(),
    // before anything is stored under it; first_seen stays.
    set_mailbox_state(ctx.store, source.name(), {0, 0, now});
    state = mailbox_state(ctx.store, source.name());
  }
  int stored = 0;
  for (const SourceItem& item : source.pending()) {
    if (between_mails) between_mails();
    // Committed earlier, its mark lost in a crash: mark it again without fetching it.
    if (find_message(ctx.store, source.name(), item.key)) {
      source.mark_processed(item);
      continue;
    }
    std::string raw;
    std::string stub_error;
    try {
      raw = source.fetch(item);
    } catch (const ItemError& e) {
      // This item, not the source: counted across passes; the pass stops at it (an IMAP
      // checkpoint must not pass it) until a stub stands in for it and the mailbox goes on.
      const int failures = record_fetch_failure(ctx.store, source.name(), item.key);
      log_event(spdlog::level::warn, Event::fetch_failed,
                {{"mailbox", source.name()}, {"key", item.key}, {"attempts", std::to_string(failures)},
                 {"of", std::to_string(ctx.settings.fetch_attempts)}, {"error", e.what()}});
      if (failures < ctx.settings.fetch_attempts) break;
      stub_error = "mailbox " + source.name() + ", item " + item.key + " could not be fetched " +
                   std::to_string(failures) + " times: " + e.what();
      raw = "X-Madoguchi-Stub: " + item.key + "\r\n\r\n" + stub_error + "\r\n";
    }
    // IMAP fetches at most the limit; other sources are cut here, so every source stores alike.
    if (raw.size() > mailbox.max_message_size) raw.resize(mailbox.max_message_size);
    IntakeRecord rec;
    rec.stub_error = stub_error;
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
    const bool old_at_first_run = item.arrived && *item.arrived < state->first_seen - mailbox.first_run_cutoff;
    // Oversize mail (cut at max_message_size): for staff, never answered.
    const bool oversize = raw.size() >= mailbox.max_message_size;
    rec.suppress_auto_reply = old_at_first_run || oversize;
    rec.oversize = oversize;
    const IntakeResult r = store_incoming(ctx.store, rec, raw);
    if (!stub_error.empty()) clear_fetch_failures(ctx.store, source.name(), item.key);
    // Mark at the source only now that the row is committed (a duplicate was committed
    // earlier and its mark was lost in a crash: mark it again).
    source.mark_processed(item);
    if (r.duplicate) {
      log_event(spdlog::level::info, Event::mail_duplicate,
                {{"mailbox", source.name()}, {"message", std::to_string(r.message_id)}, {"key", item.key}});
      continue;
    }
    ++stored;
    log_event(spdlog::level::info, Event::mail_stored,
              {{"mailbox", source.name()}, {"message", std::to_string(r.message_id)},
               {"size", std::to_string(raw.size())}, {"first_run_old", old_at_first_run ? "true" : "false"},
               {"oversize", oversize ? "true" : "false"}});
  }
  return stored;
}

}  // namespace madoguchi::daemon
