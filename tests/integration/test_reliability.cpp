// Reliability on a real store (issue 14): bounded work per mail, the watchdog hook between
// mails.
#include "deployment.h"

#include <chrono>

using namespace madoguchi::testing;

TEST_CASE("a mail with a 12 MB subject of tags is ticketed in bounded time and the queue goes on") {
  Deployment dep;
  std::string subject;
  for (int i = 0; i < 1'000'000; ++i) subject += "[#MG-000001]";
  const auto now = at(2025, 6, 2, 10);
  dep.add_mail("huge", mail("it-admin@sakura-giken.co.jp", subject, "huge@sakura-giken.co.jp"), now);
  dep.add_mail("next", mail("it-admin@sakura-giken.co.jp", "次の件", "next@sakura-giken.co.jp"), now + std::chrono::seconds(1));
  Store store(dep.dir.path / "store");
  Context ctx = make_context(store, dep.config, [now] { return now; }, dep.runtime);
  auto source = make_source(dep.config.mailboxes[0], store);
  REQUIRE(intake(ctx, *source, dep.config.mailboxes[0]) == 2);
  int between = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto done = process_pending(ctx, [&] { ++between; });
  const auto took = std::chrono::steady_clock::now() - start;
  // Was over 60 s (the display subject removed tags one at a time from the front); the
  // bound is generous for a loaded 2-core machine.
  CHECK(took < std::chrono::seconds(20));
  MESSAGE("12 MB subject pass: " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
  REQUIRE(done.size() == 2);
  CHECK(between == 2);  // called after each message
  CHECK(count(store, "SELECT COUNT(*) FROM messages WHERE state = 'ticketed'") == 2);
  CHECK(count(store, "SELECT COUNT(*) FROM tickets") == 2);
}
