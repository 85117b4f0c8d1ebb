// The store against real SQLite files: numbered migrations (a new store, a store from before
// them, one from a newer madoguchi), CHECK lists made from the state names, and state changes
// that name the state they expect — down to two processes working the same pending mail.
#include <doctest/doctest.h>

#include "daemon/service/stages.h"
#include "daemon/store/messages.h"
#include "daemon/store/states.h"
#include "daemon/store/store.h"
#include "daemon/store/tickets.h"
#include "daemon/transport/maildir_source.h"
#include "deployment.h"

#include <algorithm>
#include <thread>

namespace fs = std::filesystem;
using namespace madoguchi::daemon;
using namespace madoguchi::testing;

namespace {

std::string table_sql(Store& store, const std::string& table) {
  SQLite::Statement q(store.db(), "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?");
  q.bind(1, table);
  REQUIRE(q.executeStep());
  return q.getColumn(0).getString();
}

bool has_column(Store& store, const std::string& table, const std::string& column) {
  SQLite::Statement q(store.db(), "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
  q.bind(1, table);
  q.bind(2, column);
  return q.executeStep();
}

IntakeRecord record(const std::string& key) {
  IntakeRecord r;
  r.mailbox = "main";
  r.source_key = key;
  r.received_at = at(2026, 11, 20, 11);
  return r;
}

}  // namespace

TEST_CASE("store: a new store is at the latest schema version, its CHECK lists are the state names") {
  TempDir dir;
  Store store(dir.path / "store");
  CHECK(schema_version() >= 1);
  CHECK(schema_version(store) == schema_version());
  CHECK(table_sql(store, "messages").find(sql_value_list<MessageState>()) != std::string::npos);
  CHECK(table_sql(store, "tickets").find(sql_value_list<TicketStatus>()) != std::string::npos);
  CHECK(table_sql(store, "outbox").find(sql_value_list<OutboxState>()) != std::string::npos);
  // A status outside the list is refused by the database itself.
  CHECK_THROWS(store.db().exec(
      "INSERT INTO tickets (number, desk, requester, subject, status, received_at, accepted_at, created_at) "
      "VALUES ('MG-9', 'd', 'a@b', 's', 'reopened', 0, 0, 0)"));
  // Opening again applies nothing twice.
  Store again(dir.path / "store");
  CHECK(schema_version(again) == schema_version());
}

TEST_CASE("store: a store from before numbered migrations is brought up to date, rows kept") {
  TempDir dir;
  const fs::path path = dir.path / "store";
  fs::create_directories(path);
  {
    // The tickets table as the first stores had it: no parent_id, auto_close_warned_at,
    // requester_name, first_responded_at, overdue_logged_at; user_version 0.
    SQLite::Database db((path / "madoguchi.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE tickets (id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE, desk TEXT NOT NULL, "
            "tenant TEXT, requester TEXT NOT NULL, subject TEXT NOT NULL, status TEXT NOT NULL, category TEXT, "
            "outcome TEXT, rule TEXT, reason TEXT, flagged INTEGER NOT NULL DEFAULT 0, received_at INTEGER NOT NULL, "
            "accepted_at INTEGER NOT NULL, first_response_due INTEGER, closed_at INTEGER, close_reason TEXT, "
            "created_at INTEGER NOT NULL, status_since INTEGER)");
    db.exec("INSERT INTO tickets (number, desk, requester, subject, status, received_at, accepted_at, created_at) "
            "VALUES ('MG-000001', 'passlogic-cloud', 'a@example.jp', '件名', 'open', 1, 2, 3)");
    CHECK(db.execAndGet("PRAGMA user_version").getInt() == 0);
  }
  Store store(path);
  CHECK(schema_version(store) == schema_version());
  for (const char* c : {"parent_id", "auto_close_warned_at", "requester_name", "first_responded_at", "overdue_logged_at"})
    CHECK(has_column(store, "tickets", c));
  const auto t = load_ticket(store, std::string_view("MG-000001"));
  REQUIRE(t);
  CHECK(t->subject == "件名");
  CHECK(t->status == TicketStatus::open);
  CHECK(t->requester_name.empty());
}

TEST_CASE("store: a database written by a newer madoguchi is refused, not changed") {
  TempDir dir;
  const fs::path path = dir.path / "store";
  { Store store(path); }
  {
    SQLite::Database db((path / "madoguchi.db").string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = " + std::to_string(schema_version() + 1));
  }
  try {
    Store store(path);
    FAIL("a newer schema was opened");
  } catch (const std::exception& e) {
    CHECK(std::string(e.what()).find("newer") != std::string::npos);
  }
  SQLite::Database db((path / "madoguchi.db").string(), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("PRAGMA user_version").getInt() == schema_version() + 1);
}

TEST_CASE("store: every state change names the state it expects") {
  TempDir dir;
  Store store(dir.path / "store");
  const auto r = store_incoming(store, record("k1"), "From: a@example.jp\r\n\r\nbody\r\n");
  CHECK_FALSE(r.duplicate);
  CHECK(store_incoming(store, record("k1"), "From: a@example.jp\r\n\r\nbody\r\n").duplicate);
  {
    Transaction tx(store);
    CHECK_FALSE(mark_classified(tx, r.message_id, {}));  // still fetched
    CHECK_FALSE(mark_ticketed(tx, r.message_id, std::nullopt));
    CHECK(mark_parsed(tx, r.message_id, {"m@x", "件名", "a@example.jp", ""}));
    CHECK_FALSE(mark_parsed(tx, r.message_id, {"m@x", "件名", "a@example.jp", ""}));  // not twice
    CHECK(mark_classified(tx, r.message_id, {"d", "eligible", "in_scope", "none", {}, {}, "{}"}));
    CHECK(mark_ticketed(tx, r.message_id, std::nullopt));
    tx.commit();
  }
  CHECK_FALSE(mark_failed(store, r.message_id, "late error"));  // a finished message stays finished
  CHECK(load_message(store, r.message_id)->state == MessageState::ticketed);

  Transaction tx(store);
  NewTicket n;
  n.desk = "d";
  n.requester = "a@example.jp";
  n.subject = "件名";
  const TicketRow t = create_ticket(tx, n, at(2026, 11, 20, 11));
  CHECK(t.number == ticket_number(t.id));
  CHECK(set_ticket_status(tx, t, TicketStatus::waiting_customer, at(2026, 11, 20, 12), "staff"));
  // `t` still says open: a change from that picture is refused and leaves no history.
  CHECK_FALSE(set_ticket_status(tx, t, TicketStatus::investigating, at(2026, 11, 20, 13), "staff"));
  const auto now = load_ticket(tx.store(), t.id);
  CHECK(now->status == TicketStatus::waiting_customer);
  CHECK(set_ticket_status(tx, *now, TicketStatus::closed, at(2026, 11, 20, 14), "staff", madoguchi::rules::CloseReason::resolved));
  tx.commit();
  const auto closed = load_ticket(store, t.id);
  CHECK(closed->close_reason == "resolved");
  CHECK(ticket_history(store, t.id).size() == 2);
}

TEST_CASE("two processes on one store: the same pending mail opens one ticket and one acknowledgement") {
  Deployment d("36500d", 1000);
  const auto now = at(2026, 11, 20, 11);
  constexpr int kMails = 40;
  for (int i = 0; i < kMails; ++i)
    d.add_mail(std::to_string(i) + ".host",
               mail("it-admin@sakura-giken.co.jp", "質問 " + std::to_string(i), "c" + std::to_string(i) + "@sakura-giken.co.jp"),
               now - std::chrono::minutes(5));
  {
    Store store(d.config.store);
    Context ctx = make_context(store, d.config, [&] { return now; }, d.runtime);
    MaildirSource source("main", d.maildir);
    REQUIRE(intake(ctx, source, d.config.mailboxes[0]) == kMails);
  }
  // Two connections, as `run` and `deliver` have, each working through every pending mail.
  std::size_t processed[2] = {0, 0};
  auto worker = [&](int w) {
    Store store(d.config.store);
    Context ctx = make_context(store, d.config, [&] { return now; }, d.runtime);
    processed[w] = process_pending(ctx).size();
  };
  std::thread a(worker, 0), b(worker, 1);
  a.join();
  b.join();
  Store store(d.config.store);
  CHECK(processed[0] + processed[1] == kMails);  // each mail reported by exactly one of them
  CHECK(count(store, "SELECT COUNT(*) FROM tickets") == kMails);
  CHECK(count(store, "SELECT COUNT(*) FROM outbox WHERE kind = 'acknowledgement'") == kMails);
  CHECK(count(store, "SELECT COUNT(*) FROM messages WHERE state = 'ticketed'") == kMails);
  CHECK(count(store, "SELECT COUNT(DISTINCT ticket_id) FROM messages") == kMails);
}

TEST_CASE("store: a synced transaction commits with synchronous=FULL and leaves the connection at NORMAL") {
  TempDir dir;
  Store store(dir.path / "store");
  auto level = [&] { return store.db().execAndGet("PRAGMA synchronous").getInt(); };
  CHECK(level() == 1);  // NORMAL: WAL synced at checkpoints and by synced commits
  {
    Transaction tx(store, Durability::synced);
    CHECK(level() == 2);  // FULL for this commit: the WAL is synced before commit() returns
    tx.db().exec("CREATE TABLE t (x)");
    tx.commit();
  }
  CHECK(level() == 1);
  {
    Transaction tx(store, Durability::synced);
    tx.db().exec("INSERT INTO t VALUES (1)");
  }  // rolled back
  CHECK(level() == 1);
  CHECK(store.db().execAndGet("SELECT COUNT(*) FROM t").getInt() == 0);
  {
    Transaction tx(store);
    CHECK(level() == 1);
    tx.commit();
  }
  // A BEGIN that fails (another connection holds the write lock) leaves NORMAL behind too.
  Store other(dir.path / "store", StoreOptions{std::chrono::milliseconds(50)});
  Transaction held(other);
  CHECK_THROWS((void)Transaction(store, Durability::synced));
  CHECK(level() == 1);
}

TEST_CASE("store: a batch of incoming mail is one commit in the order given, a repeated content an alias of the first") {
  TempDir dir;
  Store store(dir.path / "store");
  const std::string a = "From: a@example.jp\r\n\r\nA\r\n", b = "From: b@example.jp\r\n\r\nB\r\n";
  std::vector<IncomingMail> batch;
  const std::vector<std::pair<std::string, const std::string*>> mails = {{"k3", &a}, {"k1", &b}, {"k2", &a}, {"k4", &a}};
  for (const auto& [key, raw] : mails) {
    IntakeRecord r = record(key);
    r.dedup_by_content = true;
    batch.push_back({r, *raw});
  }
  const auto results = store_incoming(store, batch);
  REQUIRE(results.size() == 4);
  CHECK_FALSE(results[0].duplicate);
  CHECK_FALSE(results[1].duplicate);
  CHECK(results[0].message_id < results[1].message_id);  // row ids follow the batch
  CHECK(results[2].duplicate);  // the same bytes as k3, earlier in the batch
  CHECK(results[2].message_id == results[0].message_id);
  CHECK(results[3].message_id == results[0].message_id);
  CHECK(count(store, "SELECT COUNT(*) FROM messages") == 2);
  CHECK(count(store, "SELECT COUNT(*) FROM message_aliases") == 2);
  CHECK(find_message(store, "main", "k4") == results[0].message_id);
  CHECK(fs::exists(store.spool_path(load_message(store, results[1].message_id)->sha256)));
  // The same batch again: every key known, nothing written.
  const auto again = store_incoming(store, batch);
  CHECK(std::all_of(again.begin(), again.end(), [](const IntakeResult& r) { return r.duplicate; }));
  CHECK(count(store, "SELECT COUNT(*) FROM messages") == 2);
}
