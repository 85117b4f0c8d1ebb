// The store's states: one list of names each, and the schema's CHECK lists made from it.
#include <doctest/doctest.h>

#include "daemon/store/states.h"
#include "daemon/store/tickets.h"

using namespace madoguchi::daemon;

TEST_CASE("every state has one name and parses back") {
  for (auto name : StateNames<TicketStatus>::names) CHECK(to_string(*parse_state<TicketStatus>(name)) == name);
  for (auto name : StateNames<MessageState>::names) CHECK(to_string(*parse_state<MessageState>(name)) == name);
  for (auto name : StateNames<OutboxState>::names) CHECK(to_string(*parse_state<OutboxState>(name)) == name);
  for (auto name : StateNames<HistoryEvent>::names) CHECK(to_string(*parse_state<HistoryEvent>(name)) == name);
  CHECK(to_string(TicketStatus::waiting_customer) == "waiting_customer");
  CHECK(to_string(HistoryEvent::first_response_overdue) == "first_response_overdue");
  CHECK_FALSE(parse_state<TicketStatus>("reopened").has_value());
  CHECK_FALSE(parse_state<TicketStatus>("Open").has_value());
}

TEST_CASE("the schema's CHECK lists come from the same names") {
  CHECK(sql_value_list<MessageState>() == "('fetched','parsed','classified','ticketed','failed')");
  CHECK(sql_value_list<OutboxState>() == "('pending','sent','failed','bounced')");
  CHECK(sql_value_list<TicketStatus>() ==
        "('queued','open','investigating','waiting_customer','awaiting_purchase','closed')");
}

TEST_CASE("staff may set every status but queued and closed") {
  CHECK(is_settable_status(TicketStatus::open));
  CHECK(is_settable_status(TicketStatus::awaiting_purchase));
  CHECK_FALSE(is_settable_status(TicketStatus::queued));
  CHECK_FALSE(is_settable_status(TicketStatus::closed));
}
