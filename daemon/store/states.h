// states.h — the states of the store's rows as enum class values, each with one list of
// names: to_string/parse for code, and the schema's CHECK lists, generated from the same list
// (store.cpp), so a state cannot be spelled two ways.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace madoguchi::daemon {

// A stored incoming mail: fetched -> parsed -> classified -> ticketed, or failed.
enum class MessageState { fetched, parsed, classified, ticketed, failed };

// A ticket (SPEC.md §5).
enum class TicketStatus { queued, open, investigating, waiting_customer, awaiting_purchase, closed };

// An outgoing mail: pending -> sent | failed | bounced.
enum class OutboxState { pending, sent, failed, bounced };

template <class E> struct StateNames;
template <> struct StateNames<MessageState> {
  static constexpr std::array<std::string_view, 5> names{"fetched", "parsed", "classified",
                                                         "ticketed", "failed"};
};
template <> struct StateNames<TicketStatus> {
  static constexpr std::array<std::string_view, 6> names{
      "queued", "open", "investigating", "waiting_customer", "awaiting_purchase", "closed"};
};
template <> struct StateNames<OutboxState> {
  static constexpr std::array<std::string_view, 4> names{"pending", "sent", "failed", "bounced"};
};

template <class E>
  requires requires { StateNames<E>::names; }
constexpr std::string_view to_string(E e) {
  return StateNames<E>::names[static_cast<std::size_t>(e)];
}

// The state named `name`, or nullopt.
template <class E>
constexpr std::optional<E> parse_state(std::string_view name) {
  for (std::size_t i = 0; i < StateNames<E>::names.size(); ++i)
    if (StateNames<E>::names[i] == name) return static_cast<E>(i);
  return std::nullopt;
}

// "('fetched','parsed',…)": the schema's CHECK (column IN …) list.
template <class E>
std::string sql_value_list() {
  std::string out = "(";
  for (std::size_t i = 0; i < StateNames<E>::names.size(); ++i)
    out += (i ? ",'" : "'") + std::string(StateNames<E>::names[i]) + "'";
  return out + ")";
}

// Statuses staff may set directly; closing goes through a reason, reopening through reopen.
constexpr bool is_settable_status(TicketStatus s) {
  return s != TicketStatus::queued && s != TicketStatus::closed;
}

}  // namespace madoguchi::daemon
