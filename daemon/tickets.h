// tickets.h — ticket rows, their public numbers and the event history (SPEC.md §5).
// All functions run inside the caller's transaction: a ticket and the outbox rows it causes
// are committed together.
#pragma once

#include "parsers/parsed_mail.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace madoguchi::daemon {

struct NewTicket {
  std::string desk;
  std::optional<std::string> tenant;
  std::string requester;  // lower-case address
  std::string subject;
  std::string status = "open";  // queued | open | …
  std::string outcome;
  std::optional<std::string> rule;
  std::optional<std::string> reason;
  bool flagged = false;     // needs a person's look (content rule flag, parse problems)
  std::chrono::sys_seconds received_at{};
  std::chrono::sys_seconds accepted_at{};
  std::optional<std::chrono::sys_seconds> first_response_due;
};

struct TicketRef {
  std::int64_t id = 0;
  std::string number;  // "MG-000123"
  std::string status;
};

// "MG-000123" for row id 123.
std::string ticket_number(std::int64_t id);
// "[#MG-000123]" — the tag put in every outgoing subject.
std::string ticket_tag(std::string_view number);
// The ticket number tagged in a subject, if any.
std::optional<std::string> find_ticket_tag(std::string_view subject);

TicketRef create_ticket(SQLite::Database& db, const NewTicket& ticket, std::chrono::sys_seconds now);

// Appends an event (who, when, what, why) to a ticket's history.
void add_ticket_event(SQLite::Database& db, std::int64_t ticket_id, std::chrono::sys_seconds at,
                      std::string_view actor, std::string_view event, std::string_view detail);

// The ticket a customer's mail continues: by the tag in the subject, else by In-Reply-To /
// References against stored Message-IDs (ours and the customer's). nullopt: a new ticket.
std::optional<TicketRef> find_thread(SQLite::Database& db, const parsers::ParsedMail& mail);

}  // namespace madoguchi::daemon
