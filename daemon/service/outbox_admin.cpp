// outbox_admin.cpp — see outbox_admin.h.
#include "daemon/service/outbox_admin.h"

#include "daemon/log/log.h"

namespace madoguchi::daemon {

std::vector<OutboxListing> outbox_list(Store& store, std::optional<OutboxState> state) {
  return list_outbox(store, state);
}

OutboxRetryResult retry_outbox_mail(Store& store, std::int64_t id, std::chrono::sys_seconds now) {
  Transaction tx(store);
  if (!retry_failed_outbox(tx, id, now))
    return {outbox_state(store, id) ? OutboxRetryResult::Code::not_failed : OutboxRetryResult::Code::not_found, 0};
  tx.commit();
  log_event(spdlog::level::info, Event::outbox_retry, {{"outbox", std::to_string(id)}});
  return {OutboxRetryResult::Code::retried, 1};
}

OutboxRetryResult retry_all_failed_outbox_mail(Store& store, std::chrono::sys_seconds now) {
  Transaction tx(store);
  const int n = retry_all_failed_outbox(tx, now);
  tx.commit();
  log_event(spdlog::level::info, Event::outbox_retry, {{"outbox", "all"}, {"count", std::to_string(n)}});
  return {OutboxRetryResult::Code::retried, n};
}

}  // namespace madoguchi::daemon
