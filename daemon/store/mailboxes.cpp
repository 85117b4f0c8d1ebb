// mailboxes.cpp — see mailboxes.h.
#include "daemon/store/mailboxes.h"

#include <string>

namespace madoguchi::daemon {

std::optional<MailboxState> mailbox_state(Store& store, std::string_view mailbox) {
  SQLite::Statement q(store.db(), "SELECT uidvalidity, last_uid, first_seen FROM mailboxes WHERE name = ?");
  q.bind(1, std::string(mailbox));
  if (!q.executeStep()) return std::nullopt;
  return MailboxState{q.getColumn(0).getInt64(), q.getColumn(1).getInt64(),
                      from_unix(q.getColumn(2).getInt64())};
}

void set_mailbox_state(Store& store, std::string_view mailbox, const MailboxState& state) {
  SQLite::Statement q(store.db(),
                      "INSERT INTO mailboxes (name, uidvalidity, last_uid, first_seen) "
                      "VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                      "uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid");
  q.bind(1, std::string(mailbox));
  q.bind(2, state.uidvalidity);
  q.bind(3, state.last_uid);
  q.bind(4, to_unix(state.first_seen));
  q.exec();
}

std::vector<std::int64_t> unmarked_uids(Store& store, std::string_view mailbox, std::int64_t uidvalidity) {
  SQLite::Statement q(store.db(), "SELECT uid FROM imap_unmarked WHERE mailbox = ? AND uidvalidity = ? "
                                  "ORDER BY uid");
  q.bind(1, std::string(mailbox));
  q.bind(2, uidvalidity);
  std::vector<std::int64_t> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getInt64());
  return out;
}

void forget_unmarked(Store& store, std::string_view mailbox, std::int64_t uidvalidity,
                     const std::vector<std::int64_t>& uids) {
  if (uids.empty()) return;
  Transaction tx(store);
  SQLite::Statement q(store.db(), "DELETE FROM imap_unmarked WHERE mailbox = ? AND uidvalidity = ? AND uid = ?");
  for (std::int64_t uid : uids) {
    q.bind(1, std::string(mailbox));
    q.bind(2, uidvalidity);
    q.bind(3, uid);
    q.exec();
    q.reset();
  }
  tx.commit();
}

void forget_unmarked_except(Store& store, std::string_view mailbox, std::int64_t uidvalidity) {
  SQLite::Statement q(store.db(), "DELETE FROM imap_unmarked WHERE mailbox = ? AND uidvalidity != ?");
  q.bind(1, std::string(mailbox));
  q.bind(2, uidvalidity);
  q.exec();
}

int record_fetch_failure(Store& store, std::string_view mailbox, std::string_view source_key) {
  Transaction tx(store);
  SQLite::Statement upd(tx.db(), "INSERT INTO fetch_failures (mailbox, source_key, attempts) VALUES (?, ?, 1) "
                                 "ON CONFLICT (mailbox, source_key) DO UPDATE SET attempts = attempts + 1 "
                                 "RETURNING attempts");
  upd.bind(1, std::string(mailbox));
  upd.bind(2, std::string(source_key));
  upd.executeStep();
  const int attempts = upd.getColumn(0).getInt();
  upd.reset();
  tx.commit();
  return attempts;
}

void clear_fetch_failures(Store& store, std::string_view mailbox, std::string_view source_key) {
  SQLite::Statement del(store.db(), "DELETE FROM fetch_failures WHERE mailbox = ? AND source_key = ?");
  del.bind(1, std::string(mailbox));
  del.bind(2, std::string(source_key));
  del.exec();
}

}  // namespace madoguchi::daemon
