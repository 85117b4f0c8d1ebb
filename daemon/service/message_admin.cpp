// message_admin.cpp — see message_admin.h.
#include "daemon/service/message_admin.h"

#include "daemon/log/log.h"

namespace madoguchi::daemon {

std::vector<MessageListing> message_list(Store& store, std::optional<MessageState> state) {
  return list_messages(store, state);
}

MessageRetryResult retry_message(Store& store, std::int64_t id) {
  Transaction tx(store);
  if (!retry_failed(tx, id))
    return {load_message(store, id) ? MessageRetryResult::Code::not_failed : MessageRetryResult::Code::not_found, 0};
  tx.commit();
  log_event(spdlog::level::info, Event::message_retry, {{"message", std::to_string(id)}});
  return {MessageRetryResult::Code::retried, 1};
}

MessageRetryResult retry_all_failed_messages(Store& store) {
  Transaction tx(store);
  const int n = retry_all_failed(tx);
  tx.commit();
  log_event(spdlog::level::info, Event::message_retry, {{"message", "all"}, {"count", std::to_string(n)}});
  return {MessageRetryResult::Code::retried, n};
}

}  // namespace madoguchi::daemon
