// store_helpers.h — single store writes in their own transaction, for tests that set up or
// poke rows the way one step of the daemon would.
#pragma once

#include "daemon/service/bounces.h"
#include "daemon/store/outbox.h"
#include "daemon/store/store.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace madoguchi::testing {

inline std::int64_t enqueue_committed(madoguchi::daemon::Store& store, const madoguchi::daemon::OutboxRow& row,
                                      std::chrono::sys_seconds now) {
  madoguchi::daemon::Transaction tx(store);
  const auto id = madoguchi::daemon::enqueue(tx, row, now);
  tx.commit();
  return id;
}

// A DSN for `message_id` recorded in its own transaction, as the ticket stage does.
inline bool mark_bounced_now(madoguchi::daemon::Store& store, const std::string& message_id,
                             const madoguchi::daemon::DsnSummary& dsn, std::chrono::sys_seconds now) {
  madoguchi::daemon::Transaction tx(store);
  const bool found = madoguchi::daemon::mark_bounced(tx, message_id, dsn, now);
  tx.commit();
  return found;
}

}  // namespace madoguchi::testing
