// tickets.h — ticket rows, their public numbers with a keyed check, threading, and the event
// history (SPEC.md §5). All functions run inside the caller's transaction: a ticket and the
// outbox rows it causes are committed together.
#pragma once

#include "parsers/parsed_mail.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::daemon {

// The key of the short check in ticket tags ([#MG-000123-k7q]): a number alone must not let
// a stranger put mail into someone else's ticket.
class TagKey {
 public:
  explicit TagKey(std::string key) : key_(std::move(key)) {}
  // Reads the key file, or creates it (32 random bytes, mode 0600) when it does not exist.
  // Throws std::runtime_error when it cannot be read or created.
  static TagKey load_or_create(const std::filesystem::path& file);
  // Three characters of base32 (a-z, 2-7) of HMAC-SHA256(key, number).
  std::string check(std::string_view number) const;
  // "[#MG-000123-k7q]"
  std::string tag(std::string_view number) const;

 private:
  std::string key_;
};

struct NewTicket {
  std::string desk;
  std::optional<std::string> tenant;
  std::string requester;  // lower-case address
  std::string requester_name;  // the From display name ("山田 太郎"), may be empty
  std::string subject;
  std::string status = "open";  // queued | open | …
  std::string outcome;
  std::optional<std::string> rule;
  std::optional<std::string> reason;
  bool flagged = false;     // needs a person's look (content rule flag, parse problems)
  std::chrono::sys_seconds received_at{};
  std::chrono::sys_seconds accepted_at{};
  std::optional<std::chrono::sys_seconds> first_response_due;
  std::optional<std::int64_t> parent;  // the closed ticket this one continues
};

struct TicketRow {
  std::int64_t id = 0;
  std::string number;  // "MG-000123"
  std::string status;
  std::string desk;
  std::optional<std::string> tenant;
  std::string requester;
  std::string subject;
  std::optional<std::chrono::sys_seconds> closed_at;
  std::string requester_name;

  // How customer mail addresses the requester: the display name, else the address.
  const std::string& customer_name() const {
    return requester_name.empty() ? requester : requester_name;
  }
};

// The SQL condition (on `tickets`, binding :now) of a ticket past its first-response due time
// with no staff reply yet: what `ticket list --overdue` lists and the daemon logs.
inline constexpr const char* kOverdueCondition =
    "status <> 'closed' AND first_responded_at IS NULL AND first_response_due IS NOT NULL "
    "AND first_response_due < :now";

// "MG-000123" for row id 123.
std::string ticket_number(std::int64_t id);

struct TagInSubject {
  std::string number;                // "MG-000123"
  std::optional<std::string> check;  // "k7q" when present
};
// The ticket tag in a subject, if any ("[#MG-000123]" or "[#MG-000123-k7q]").
std::optional<TagInSubject> find_ticket_tag(std::string_view subject);

TicketRow create_ticket(SQLite::Database& db, const NewTicket& ticket, std::chrono::sys_seconds now);
std::optional<TicketRow> load_ticket(SQLite::Database& db, std::int64_t id);
std::optional<TicketRow> load_ticket(SQLite::Database& db, std::string_view number);

// Appends an event (who, when, what, why) to a ticket's history.
void add_ticket_event(SQLite::Database& db, std::int64_t ticket_id, std::chrono::sys_seconds at,
                      std::string_view actor, std::string_view event, std::string_view detail);

// Changes the status and records it; closing needs a reason (close_reasons()), leaving
// `closed` clears it.
void set_ticket_status(SQLite::Database& db, const TicketRow& ticket, std::string_view status,
                       std::chrono::sys_seconds now, std::string_view actor,
                       std::string_view close_reason = {});

enum class ThreadVia { verified_tag, trusted_sender_tag, message_id };

struct ThreadMatch {
  TicketRow ticket;
  ThreadVia via;
};

struct ThreadResult {
  std::optional<ThreadMatch> match;
  // A tag was present but neither verified nor from a trusted sender: a new ticket is
  // opened and the attempt is logged (a forged or guessed number).
  std::optional<std::string> rejected_tag;
};

// The ticket a mail continues: by a tag whose check verifies; by an unchecked tag when
// `trusted(ticket)` says the sender is the requester or an admin of its tenant; else by
// In-Reply-To / References against stored Message-IDs (ours and the customer's).
ThreadResult find_thread(SQLite::Database& db, const parsers::ParsedMail& mail, const TagKey& key,
                         const std::function<bool(const TicketRow&)>& trusted);

}  // namespace madoguchi::daemon
