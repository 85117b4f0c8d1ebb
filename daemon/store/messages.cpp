// messages.cpp — see messages.h.
#include "daemon/store/messages.h"

#include "daemon/store/spool.h"

#include <algorithm>

namespace madoguchi::daemon {
namespace {

void bind_optional(SQLite::Statement& q, int index, const std::optional<std::string>& v) {
  if (v) q.bind(index, *v); else q.bind(index);
}

// Checkpoint and owed server mark of an IMAP mail, inside the caller's transaction.
void checkpoint(Transaction& tx, const IntakeRecord& record) {
  if (record.uid <= 0) return;
  SQLite::Statement cp(tx.db(),
                       "UPDATE mailboxes SET last_uid = MAX(last_uid, ?) "
                       "WHERE name = ? AND uidvalidity = ?");
  cp.bind(1, record.uid);
  cp.bind(2, record.mailbox);
  cp.bind(3, record.uidvalidity);
  cp.exec();
  SQLite::Statement owed(tx.db(), "INSERT OR IGNORE INTO imap_unmarked (mailbox, uidvalidity, uid) "
                                  "VALUES (?, ?, ?)");
  owed.bind(1, record.mailbox);
  owed.bind(2, record.uidvalidity);
  owed.bind(3, record.uid);
  owed.exec();
}

// Binds the three unfinished states (fetched, parsed, classified) from `first` on.
void bind_unfinished(SQLite::Statement& q, int first) {
  q.bind(first, std::string(to_string(MessageState::fetched)));
  q.bind(first + 1, std::string(to_string(MessageState::parsed)));
  q.bind(first + 2, std::string(to_string(MessageState::classified)));
}

// One state change of a message row, naming the state it expects; true when it happened.
bool advance(Transaction& tx, std::int64_t id, MessageState from, MessageState to,
             const std::string& set_columns, const std::vector<std::optional<std::string>>& values) {
  SQLite::Statement upd(tx.db(), "UPDATE messages SET " + set_columns +
                                     (set_columns.empty() ? "" : ", ") +
                                     "state = ? WHERE id = ? AND state = ?");
  int i = 1;
  for (const auto& v : values) bind_optional(upd, i++, v);
  upd.bind(i++, std::string(to_string(to)));
  upd.bind(i++, id);
  upd.bind(i, std::string(to_string(from)));
  return upd.exec() == 1;
}

}  // namespace

IntakeResult store_incoming(Store& store, const IntakeRecord& record, std::string_view raw) {
  return store_incoming(store, std::vector<IncomingMail>{{record, raw}}).front();
}

std::vector<IntakeResult> store_incoming(Store& store, const std::vector<IncomingMail>& mails) {
  std::vector<IntakeResult> out(mails.size());
  std::vector<std::string> hashes(mails.size());
  std::vector<bool> known(mails.size(), false);  // stored earlier under this key: nothing to do
  // The spool first, outside the transaction: a file without a row is harmless, a row without
  // its file is not. Same bytes already spooled (the same mail in two mailboxes, a duplicate):
  // the file is reused.
  std::vector<FileToWrite> files;
  for (std::size_t i = 0; i < mails.size(); ++i) {
    if (auto id = find_message(store, mails[i].record.mailbox, mails[i].record.source_key)) {
      out[i] = {*id, true};
      known[i] = true;
      continue;
    }
    hashes[i] = sha256_hex(mails[i].raw);
    auto path = store.spool_path(hashes[i]);
    const bool planned = std::any_of(files.begin(), files.end(), [&](const FileToWrite& f) { return f.path == path; });
    if (planned || std::filesystem::exists(path)) continue;
    create_directory_durably(path.parent_path());
    files.push_back({std::move(path), mails[i].raw});
  }
  if (!files.empty()) write_files_atomically(files);
  if (std::all_of(known.begin(), known.end(), [](bool k) { return k; })) return out;

  Transaction tx(store, Durability::synced);  // the mark at the source follows
  SQLite::Statement same(tx.db(), "SELECT id FROM messages WHERE mailbox = ? AND sha256 = ? LIMIT 1");
  SQLite::Statement alias(tx.db(), "INSERT OR IGNORE INTO message_aliases (mailbox, source_key, message) "
                                   "VALUES (?, ?, ?)");
  SQLite::Statement ins(tx.db(),
                        "INSERT INTO messages (mailbox, source_key, uidvalidity, uid, sha256, "
                        "size, received_at, stored_at, suppress_auto_reply, stub, error) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, strftime('%s','now'), ?, ?, ?)");
  for (std::size_t i = 0; i < mails.size(); ++i) {
    if (known[i]) continue;
    const IntakeRecord& record = mails[i].record;
    if (record.dedup_by_content) {
      // Inside the transaction, so an earlier mail of this batch counts too.
      same.bind(1, record.mailbox);
      same.bind(2, hashes[i]);
      const bool found = same.executeStep();
      const std::int64_t id = found ? same.getColumn(0).getInt64() : 0;
      same.reset();
      if (found) {
        checkpoint(tx, record);
        alias.bind(1, record.mailbox);
        alias.bind(2, record.source_key);
        alias.bind(3, id);
        alias.exec();
        alias.reset();
        out[i] = {id, true};
        continue;
      }
    }
    ins.bind(1, record.mailbox);
    ins.bind(2, record.source_key);
    ins.bind(3, record.uidvalidity);
    ins.bind(4, record.uid);
    ins.bind(5, hashes[i]);
    ins.bind(6, static_cast<std::int64_t>(mails[i].raw.size()));
    ins.bind(7, to_unix(record.received_at));
    // messages.suppress_auto_reply: 0 answer, 1 old at the first run, 2 oversize (cut).
    ins.bind(8, record.oversize ? 2 : record.suppress_auto_reply ? 1 : 0);
    ins.bind(9, record.stub_error.empty() ? 0 : 1);
    if (record.stub_error.empty()) ins.bind(10); else ins.bind(10, record.stub_error);
    ins.exec();
    ins.reset();
    out[i] = {tx.db().getLastInsertRowid(), false};
    checkpoint(tx, record);
  }
  tx.commit();
  return out;
}

std::optional<std::int64_t> find_message(Store& store, std::string_view mailbox, std::string_view source_key) {
  SQLite::Statement q(store.db(),
                      "SELECT id FROM messages WHERE mailbox = ?1 AND source_key = ?2 UNION ALL "
                      "SELECT message FROM message_aliases WHERE mailbox = ?1 AND source_key = ?2 LIMIT 1");
  q.bind(1, std::string(mailbox));
  q.bind(2, std::string(source_key));
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getInt64();
}

std::vector<std::int64_t> unfinished_messages(Store& store, std::chrono::sys_seconds now) {
  SQLite::Statement q(store.db(),
                      "SELECT id FROM messages WHERE state IN (?, ?, ?) AND direction = 'in' "
                      "AND (retry_at IS NULL OR retry_at <= ?) ORDER BY id");
  bind_unfinished(q, 1);
  q.bind(4, to_unix(now));
  std::vector<std::int64_t> ids;
  while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
  return ids;
}

std::optional<StoredMessage> load_message(Store& store, std::int64_t id) {
  SQLite::Statement q(store.db(),
                      "SELECT mailbox, sha256, state, received_at, suppress_auto_reply, attempts, "
                      "COALESCE(error, ''), stub FROM messages WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  StoredMessage m;
  m.id = id;
  m.mailbox = q.getColumn(0).getString();
  m.sha256 = q.getColumn(1).getString();
  m.state = parse_state<MessageState>(q.getColumn(2).getString()).value_or(MessageState::failed);
  m.received_at = from_unix(q.getColumn(3).getInt64());
  m.suppress_auto_reply = q.getColumn(4).getInt() != 0;
  m.oversize = q.getColumn(4).getInt() == 2;
  m.attempts = q.getColumn(5).getInt();
  m.error = q.getColumn(6).getString();
  m.stub = q.getColumn(7).getInt() != 0;
  return m;
}

bool mark_parsed(Transaction& tx, std::int64_t id, const ParsedFields& f) {
  return advance(tx, id, MessageState::fetched, MessageState::parsed,
                 "message_id = ?, subject = ?, sender = ?, warnings = ?",
                 {f.message_id, f.subject, f.sender, f.warnings});
}

bool mark_classified(Transaction& tx, std::int64_t id, const ClassifiedFields& f) {
  return advance(tx, id, MessageState::parsed, MessageState::classified,
                 "desk = ?, identity = ?, tenant = ?, outcome = ?, action = ?, rule = ?, decision = ?",
                 {f.desk, f.identity, f.tenant, f.outcome, f.action, f.rule, f.decision_json});
}

bool mark_ticketed(Transaction& tx, std::int64_t id, std::optional<std::int64_t> ticket_id) {
  SQLite::Statement upd(tx.db(),
                        "UPDATE messages SET ticket_id = ?, state = ?, retry_at = NULL WHERE id = ? AND state = ?");
  if (ticket_id) upd.bind(1, *ticket_id); else upd.bind(1);
  upd.bind(2, std::string(to_string(MessageState::ticketed)));
  upd.bind(3, id);
  upd.bind(4, std::string(to_string(MessageState::classified)));
  return upd.exec() == 1;
}

bool mark_failed(Store& store, std::int64_t id, std::string_view error) {
  SQLite::Statement upd(store.db(),
                        "UPDATE messages SET state = ?, error = ? WHERE id = ? AND state IN (?, ?, ?)");
  upd.bind(1, std::string(to_string(MessageState::failed)));
  upd.bind(2, std::string(error));
  upd.bind(3, id);
  bind_unfinished(upd, 4);
  return upd.exec() == 1;
}

namespace {
int attempts_of(Transaction& tx, std::int64_t id) {
  SQLite::Statement q(tx.db(), "SELECT attempts FROM messages WHERE id = ?");
  q.bind(1, id);
  q.executeStep();
  return q.getColumn(0).getInt();
}
}  // namespace

std::optional<int> begin_attempt(Store& store, std::int64_t id, std::chrono::sys_seconds now,
                                 std::chrono::sys_seconds lease_until) {
  Transaction tx(store);
  SQLite::Statement upd(tx.db(),
                        "UPDATE messages SET attempts = attempts + 1, retry_at = ? "
                        "WHERE id = ? AND state IN (?, ?, ?) AND (retry_at IS NULL OR retry_at <= ?)");
  upd.bind(1, to_unix(lease_until));
  upd.bind(2, id);
  bind_unfinished(upd, 3);
  upd.bind(6, to_unix(now));
  if (upd.exec() != 1) return std::nullopt;
  const int attempts = attempts_of(tx, id);
  tx.commit();
  return attempts;
}

int record_failed_attempt(Store& store, std::int64_t id, std::string_view error, std::chrono::sys_seconds retry_at) {
  Transaction tx(store);
  SQLite::Statement upd(tx.db(),
                        "UPDATE messages SET error = ?, retry_at = ? "
                        "WHERE id = ? AND state IN (?, ?, ?)");
  upd.bind(1, std::string(error));
  upd.bind(2, to_unix(retry_at));
  upd.bind(3, id);
  bind_unfinished(upd, 4);
  if (upd.exec() != 1) return 0;
  const int attempts = attempts_of(tx, id);
  tx.commit();
  return attempts;
}

bool mark_set_aside(Transaction& tx, std::int64_t id, std::int64_t ticket_id) {
  SQLite::Statement upd(tx.db(), "UPDATE messages SET ticket_id = ?, state = ?, retry_at = NULL "
                                 "WHERE id = ? AND state IN (?, ?, ?)");
  upd.bind(1, ticket_id);
  upd.bind(2, std::string(to_string(MessageState::ticketed)));
  upd.bind(3, id);
  bind_unfinished(upd, 4);
  return upd.exec() == 1;
}

std::vector<MessageListing> list_messages(Store& store, std::optional<MessageState> state) {
  SQLite::Statement q(store.db(),
                      "SELECT id, mailbox, state, received_at, COALESCE(sender,''), COALESCE(subject,''), "
                      "COALESCE(error,'') FROM messages WHERE direction = 'in' AND (?1 IS NULL OR state = ?1) "
                      "ORDER BY id");
  if (state) q.bind(1, std::string(to_string(*state))); else q.bind(1);
  std::vector<MessageListing> out;
  while (q.executeStep())
    out.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(),
                   parse_state<MessageState>(q.getColumn(2).getString()).value_or(MessageState::failed),
                   from_unix(q.getColumn(3).getInt64()), q.getColumn(4).getString(), q.getColumn(5).getString(),
                   q.getColumn(6).getString()});
  return out;
}

bool retry_failed(Transaction& tx, std::int64_t id) {
  SQLite::Statement upd(tx.db(), "UPDATE messages SET state = ?, error = NULL, attempts = 0, retry_at = NULL "
                                 "WHERE id = ? AND state = ?");
  upd.bind(1, std::string(to_string(MessageState::fetched)));
  upd.bind(2, id);
  upd.bind(3, std::string(to_string(MessageState::failed)));
  return upd.exec() == 1;
}

int retry_all_failed(Transaction& tx) {
  SQLite::Statement upd(tx.db(), "UPDATE messages SET state = ?, error = NULL, attempts = 0, retry_at = NULL "
                                 "WHERE state = ?");
  upd.bind(1, std::string(to_string(MessageState::fetched)));
  upd.bind(2, std::string(to_string(MessageState::failed)));
  return upd.exec();
}

std::vector<std::string> ticket_message_ids(Store& store, std::int64_t ticket_id,
                                            const std::vector<std::string>& excluded) {
  std::vector<std::string> ids;
  SQLite::Statement q(store.db(),
                      "SELECT message_id, COALESCE(sender, '') FROM messages WHERE ticket_id = ? "
                      "AND message_id != '' ORDER BY id");
  q.bind(1, ticket_id);
  while (q.executeStep())
    if (std::find(excluded.begin(), excluded.end(), q.getColumn(1).getString()) == excluded.end())
      ids.push_back(q.getColumn(0).getString());
  if (ids.size() > 10) ids.erase(ids.begin() + 1, ids.end() - 9);  // first + last nine
  return ids;
}

std::optional<std::int64_t> ticket_of_message_id(Store& store, std::string_view message_id) {
  SQLite::Statement q(store.db(),
                      "SELECT ticket_id FROM outbox WHERE message_id = ? AND ticket_id IS NOT NULL "
                      "UNION ALL SELECT ticket_id FROM messages WHERE message_id = ? AND "
                      "ticket_id IS NOT NULL LIMIT 1");
  q.bind(1, std::string(message_id));
  q.bind(2, std::string(message_id));
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getInt64();
}

std::vector<MessageSummary> messages_of_ticket(Store& store, std::int64_t ticket_id) {
  SQLite::Statement m(store.db(),
                      "SELECT id, received_at, COALESCE(sender,''), COALESCE(subject,''), "
                      "COALESCE(identity,''), COALESCE(outcome,''), COALESCE(warnings,''), sha256, state "
                      "FROM messages WHERE ticket_id = ? ORDER BY id");
  m.bind(1, ticket_id);
  std::vector<MessageSummary> out;
  while (m.executeStep())
    out.push_back({m.getColumn(0).getInt64(), from_unix(m.getColumn(1).getInt64()),
                   m.getColumn(2).getString(), m.getColumn(3).getString(), m.getColumn(4).getString(),
                   m.getColumn(5).getString(), m.getColumn(6).getString(), m.getColumn(7).getString(),
                   parse_state<MessageState>(m.getColumn(8).getString()).value_or(MessageState::failed)});
  return out;
}

}  // namespace madoguchi::daemon
