// messages.h — incoming mail rows: intake (raw bytes in the spool, the row and the IMAP
// checkpoint committed together), then one state change per stage, each naming the state it
// expects, and the read views threading and the CLI need.
#pragma once

#include "daemon/store/states.h"
#include "daemon/store/store.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::daemon {

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
  // The same bytes already stored from this mailbox under another key (IMAP after a
  // UIDVALIDITY change, a renamed Maildir file) are a duplicate, and the new key is recorded
  // as an alias of the stored mail. The hash covers the Message-ID header, so a reused
  // Message-ID with different content is a new mail.
  bool dedup_by_content = false;
  // Not "": a stub for mail that could not be fetched (the reason; the raw bytes given
  // describe it). Processing sets it aside as a flagged ticket at once.
  std::string stub_error{};
};

struct IntakeResult {
  std::int64_t message_id = 0;  // row id
  bool duplicate = false;       // this (mailbox, source_key) was already stored
};

// Writes the raw bytes to the spool (atomically, before the row that names them), then
// commits the row (state fetched) and, when uid > 0, the mailbox's UID checkpoint and the
// owed server mark in one transaction, synced (the mark at the source follows). Idempotent
// per (mailbox, source_key).
IntakeResult store_incoming(Store& store, const IntakeRecord& record, std::string_view raw);

// The same for a batch: every new spool file written and fsynced, each directory touched
// fsynced once, then all rows in ONE synced transaction, in the order given (row ids follow
// it). A mail whose content an earlier one of the batch has is a duplicate of it (an alias),
// as for one already stored. One result per mail, in order; on a failure nothing is committed.
struct IncomingMail {
  IntakeRecord record;
  std::string_view raw;
};
std::vector<IntakeResult> store_incoming(Store& store, const std::vector<IncomingMail>& mails);

// The message row stored from (mailbox, source_key), if any, also when that key is an alias.
std::optional<std::int64_t> find_message(Store& store, std::string_view mailbox, std::string_view source_key);

// Incoming messages not yet ticketed or failed whose retry time (after a failed attempt) is
// not after `now`, oldest first.
std::vector<std::int64_t> unfinished_messages(Store& store, std::chrono::sys_seconds now);

struct StoredMessage {
  std::int64_t id = 0;
  std::string mailbox;
  std::string sha256;
  MessageState state = MessageState::fetched;
  std::chrono::sys_seconds received_at{};
  bool suppress_auto_reply = false;  // old at the first run, or oversize
  bool oversize = false;             // cut at intake
  int attempts = 0;                  // failed processing attempts so far
  std::string error;                 // the last one's error, or a stub's reason
  bool stub = false;                 // mail that could not be fetched (IntakeRecord::stub_error)
};
std::optional<StoredMessage> load_message(Store& store, std::int64_t id);

struct ParsedFields {
  std::string message_id, subject, sender, warnings;
};
struct ClassifiedFields {
  std::string desk, identity, outcome, action;
  std::optional<std::string> tenant, rule;
  std::string decision_json;
};
// fetched -> parsed, parsed -> classified, classified -> ticketed. Each returns false and
// changes nothing when the row is not in the expected state (another process moved it).
bool mark_parsed(Transaction& tx, std::int64_t id, const ParsedFields& fields);
bool mark_classified(Transaction& tx, std::int64_t id, const ClassifiedFields& fields);
bool mark_ticketed(Transaction& tx, std::int64_t id, std::optional<std::int64_t> ticket_id);
// An unfinished message -> failed with the reason; false when it was finished meanwhile.
bool mark_failed(Store& store, std::int64_t id, std::string_view error);
// The start of one attempt at an unfinished message, committed before the work: the count goes
// up and the message is leased (not selected by anyone) until `lease_until`. A process that
// dies inside the mail — a crash, the watchdog's kill, a mail that never finishes — has used
// the attempt, so a mail that kills every attempt ends set aside instead of stopping intake.
// The count after, or nullopt when the message is finished or leased by another process.
std::optional<int> begin_attempt(Store& store, std::int64_t id, std::chrono::sys_seconds now,
                                 std::chrono::sys_seconds lease_until);
// The attempt begun failed: the error is kept and the message is not selected before
// `retry_at`. The attempt count, or 0 when it was finished meanwhile.
int record_failed_attempt(Store& store, std::int64_t id, std::string_view error, std::chrono::sys_seconds retry_at);
// An unfinished message, in whatever stage, -> ticketed on `ticket_id` (set aside as a
// flagged ticket); false when another process finished it first.
bool mark_set_aside(Transaction& tx, std::int64_t id, std::int64_t ticket_id);

// Incoming messages for `madoguchi message list`, oldest first; all states when nullopt.
struct MessageListing {
  std::int64_t id = 0;
  std::string mailbox;
  MessageState state = MessageState::fetched;
  std::chrono::sys_seconds received_at{};
  std::string sender, subject, error;
};
std::vector<MessageListing> list_messages(Store& store, std::optional<MessageState> state);
// failed -> fetched with the error and the attempts cleared, so the next pass runs it again
// from the spool;
// false when the message is not failed (another process retried it, or it never failed).
bool retry_failed(Transaction& tx, std::int64_t id);
// Every failed message -> fetched; the number moved.
int retry_all_failed(Transaction& tx);

// The Message-IDs of a ticket's mail from senders not in `excluded` (staff mail is internal
// and never referenced), oldest first; at most the first and the last nine.
std::vector<std::string> ticket_message_ids(Store& store, std::int64_t ticket_id,
                                            const std::vector<std::string>& excluded);

// The ticket that our outgoing mail or a stored incoming mail with this Message-ID belongs to.
std::optional<std::int64_t> ticket_of_message_id(Store& store, std::string_view message_id);

struct MessageSummary {
  std::int64_t id = 0;
  std::chrono::sys_seconds received_at{};
  std::string sender, subject, identity, outcome, warnings;
  std::string sha256{};  // the spool file (Store::spool_path)
  MessageState state = MessageState::fetched;
};
std::vector<MessageSummary> messages_of_ticket(Store& store, std::int64_t ticket_id);

}  // namespace madoguchi::daemon
