// pipeline.h — the stage runner: intake from a MailSource into the store, then each stored
// message through parse -> classify -> ticket, one transaction per step (STYLE.md "Stages
// and states"). Every step can be retried: a crash between steps resumes at the state
// committed last, and the intake checkpoint makes a re-fetched mail a duplicate, not a new one.
//
// The pure stages (parse_mail, Policy::decide, rendering) are called from here; this file
// holds only the wiring and the SQL of the transitions. The clock is injected.
#pragma once

#include "daemon/config.h"
#include "daemon/mail_source.h"
#include "daemon/staff_mail.h"
#include "daemon/store.h"
#include "daemon/tickets.h"
#include "rules/policy.h"
#include "templates/template_set.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace madoguchi::daemon {

using Clock = std::function<std::chrono::sys_seconds()>;

// The configuration the stages read; swapped as a whole on reload.
struct Runtime {
  std::shared_ptr<const rules::Policy> policy;
  std::shared_ptr<const templates::TemplateSet> templates;
};

// What happened to one message, for the `run --once` summary and the tests.
struct ProcessedMail {
  std::int64_t message = 0;
  std::string mailbox;
  std::string subject;
  std::string sender;    // masked unless logging personal data is on
  std::string desk;
  std::string identity;
  std::string outcome;
  std::string rule;
  std::string ticket;    // "MG-000123", "" when none
  std::string action;    // new_ticket | follow_up | reopened | auto_reply_ignored | bounce |
                         // staff_reply | staff_note | staff_command | staff_mail_ignored | failed
  std::string reply;     // template of the automatic reply queued, "" when none
  std::string note;      // why no reply (loop_reason, rate limit, first run), or the error
};

class Pipeline {
 public:
  Pipeline(Store& store, MainConfig config, Clock clock);

  void set_runtime(Runtime runtime);
  const Runtime& runtime() const { return runtime_; }
  const MainConfig& config() const { return config_; }

  // Stores every pending item of `source` and marks it processed at the source only after
  // the commit. Returns the number of new messages. Throws SourceError when the source fails.
  int intake(MailSource& source, const MailboxConfig& mailbox);

  // Runs every message that is not yet ticketed (or failed) through the remaining stages.
  std::vector<ProcessedMail> process_pending();

  // The business-hours queue: tickets whose acceptance time has come move queued -> open,
  // and each desk's staff get one digest of them. Returns the number released.
  int release_queued();

  // Tickets silent in waiting_customer: a warning after the desk's auto_close_warn_days
  // business days, then closed as `agreed` with a notice. Returns the number changed.
  int auto_close();

  // Tickets past their first-response due time without a staff reply: each is logged once
  // (event=ticket_overdue) and recorded in its history. Returns the number newly overdue.
  int report_overdue();

  // Staff work, shared by staff e-mail and the CLI. Each runs in its own transaction when
  // called from outside; the mail variants run inside the stage's transaction.
  // Sends `text` to the requester in the desk's staff_reply template; ticket -> waiting_customer.
  void staff_reply(const TicketRow& ticket, const std::string& text, const std::string& actor);
  void staff_note(const TicketRow& ticket, const std::string& text, const std::string& actor);
  // Sets a status (not `closed`); `reopen` is set_status(open) of a closed ticket.
  void staff_status(const TicketRow& ticket, const std::string& status, const std::string& actor);
  // Closes with a completion reason and sends the closing notice.
  void staff_close(const TicketRow& ticket, const std::string& reason, const std::string& actor);

  const TagKey& tag_key() const { return tag_key_; }

 private:
  ProcessedMail process(std::int64_t message_id);
  void ticket_stage(std::int64_t id, std::string_view raw, const parsers::ParsedMail& mail, const std::string& sender,
                    const rules::Desk& desk, const rules::Decision& decision, bool suppress,
                    ProcessedMail& result);
  void open_ticket(std::int64_t id, const parsers::ParsedMail& mail, const std::string& sender,
                   const rules::Desk& desk, const rules::Decision& decision, bool suppress,
                   std::optional<std::int64_t> parent, ProcessedMail& result);
  void apply_staff_mail(const TicketRow& ticket, const parsers::ParsedMail& mail,
                        const std::string& sender, ProcessedMail& result);
  bool sender_trusted(const std::string& sender, const TicketRow& ticket) const;

  struct Outgoing;
  // Renders, composes and enqueues one mail in the current transaction; returns its
  // Message-ID, or "" when the template is missing (logged).
  std::string queue_mail(const Outgoing& mail);
  void notify_staff(const rules::Desk& desk, const std::string& template_name,
                    const TicketRow* ticket, templates::Values values);
  const rules::Desk& desk_of(const TicketRow& ticket) const;

  Store& store_;
  MainConfig config_;
  Clock clock_;
  Runtime runtime_;
  TagKey tag_key_;
};

}  // namespace madoguchi::daemon
