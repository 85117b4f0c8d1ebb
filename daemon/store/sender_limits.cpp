// sender_limits.cpp — see sender_limits.h. Automatic replies keep their table of schema 1
// (auto_replies); the other two are schema 2's sender_events.
#include "daemon/store/sender_limits.h"

#include <string>

namespace madoguchi::daemon {
namespace {
const char* kind(SenderEvent e) { return e == SenderEvent::staff_notice ? "staff_notice" : "tag_rejected"; }
}  // namespace

void record_sender_event(Transaction& tx, SenderEvent event, std::string_view sender, std::chrono::sys_seconds at) {
  if (event == SenderEvent::auto_reply) {
    SQLite::Statement ins(tx.db(), "INSERT INTO auto_replies (recipient, at) VALUES (?, ?)");
    ins.bind(1, std::string(sender));
    ins.bind(2, to_unix(at));
    ins.exec();
    return;
  }
  SQLite::Statement ins(tx.db(), "INSERT INTO sender_events (kind, sender, at) VALUES (?, ?, ?)");
  ins.bind(1, kind(event));
  ins.bind(2, std::string(sender));
  ins.bind(3, to_unix(at));
  ins.exec();
}

int sender_events_since(Store& store, SenderEvent event, std::string_view sender, std::chrono::sys_seconds since) {
  if (event == SenderEvent::auto_reply) {
    SQLite::Statement q(store.db(), "SELECT COUNT(*) FROM auto_replies WHERE recipient = ? AND at > ?");
    q.bind(1, std::string(sender));
    q.bind(2, to_unix(since));
    q.executeStep();
    return q.getColumn(0).getInt();
  }
  SQLite::Statement q(store.db(), "SELECT COUNT(*) FROM sender_events WHERE kind = ? AND sender = ? AND at > ?");
  q.bind(1, kind(event));
  q.bind(2, std::string(sender));
  q.bind(3, to_unix(since));
  q.executeStep();
  return q.getColumn(0).getInt();
}

}  // namespace madoguchi::daemon
