// events.h — the catalog of log events: every `event=<name>` madoguchi writes, with its
// meaning for the operator who reads it at 3 a.m. (Kea's message files, as one table).
//
// log_event() takes an Event, so a name that is not in this catalog does not compile; the
// README's event table is held against this list by a unit test (tests/unit/log).
#pragma once

#include <span>
#include <string_view>

namespace madoguchi::daemon {

// X(name, group, meaning)
#define MADOGUCHI_LOG_EVENTS(X)                                                                   \
  X(daemon_started, "daemon", "the process started: config file, mailboxes, desks")               \
  X(daemon_ready, "daemon", "the first pass is done and systemd was told READY=1")                \
  X(daemon_stopping, "daemon", "SIGTERM or SIGINT received; the loop stops after the current pass") \
  X(daemon_stopped, "daemon", "the process is exiting normally")                                  \
  X(config_error, "daemon", "a configuration error (file:line:column) outside a reload")          \
  X(staff_authentication_off, "daemon", "staff_authentication: from_header — anyone can write as staff; closed networks only") \
  X(reload_succeeded, "daemon", "SIGHUP: the new desks, tenants, rules and templates are in force") \
  X(reload_failed, "daemon", "SIGHUP: one error of the new configuration (file:line:column)")     \
  X(reload_kept_previous, "daemon", "SIGHUP refused: the previous configuration stays in force")  \
  X(store_busy, "daemon", "the database is locked by another process beyond the busy timeout: the step waits or is retried next pass") \
  X(store_full, "daemon", "the store's disk is full: intake and processing stop, nothing is marked on the server; they resume when space returns") \
  X(run_locked, "daemon", "another `madoguchi run` holds this store's lock: this one exits")       \
  X(pass_step_failed, "daemon", "a step of a pass failed unexpectedly; it is logged and the loop goes on") \
  X(mail_stored, "intake", "a mail's raw bytes and its row are committed")                        \
  X(mail_duplicate, "intake", "a mail already stored was seen again (its mark is re-applied)")    \
  X(mailbox_failed, "intake", "one mailbox's pass failed; the others go on, it is retried")       \
  X(imap_connected, "intake", "an IMAP connection is up (TLS and login done)")                    \
  X(imap_idle_started, "intake", "IMAP IDLE is waiting for new mail")                             \
  X(imap_idle_woke, "intake", "IMAP IDLE reported new mail: a pass runs now")                     \
  X(imap_idle_unsupported, "intake", "the server has no IDLE: the mailbox is polled")             \
  X(imap_idle_failed, "intake", "the IDLE connection failed; it is reconnected with backoff")     \
  X(imap_marked, "intake", "committed mail was marked on the server (\\Seen or moved)")           \
  X(imap_pending, "intake", "UIDs listed for intake in this pass")                                \
  X(imap_message_truncated, "intake", "a mail over max_message_size was fetched up to the limit") \
  X(imap_uidvalidity_changed, "intake", "UIDVALIDITY changed: the folder is re-scanned, known mail dropped by hash") \
  X(fetch_failed, "intake", "one mail (an IMAP UID, a Maildir file) could not be fetched; the pass stops at it, and after imap_fetch_attempts a stub stands in for it") \
  X(imap_reconnect_backoff, "intake", "a failed IMAP connection waits before the next attempt")  \
  X(mail_parsed, "pipeline", "a stored mail was parsed (parser warnings listed)")                 \
  X(mail_classified, "pipeline", "the rules decided: desk, identity, outcome, deciding rule")     \
  X(ticket_opened, "pipeline", "a new ticket was opened for a mail")                              \
  X(mail_ticketed, "pipeline", "a mail joined a ticket, or was handled without one (action=…)")   \
  X(thread_tag_rejected, "pipeline", "a ticket tag did not verify and the sender is not trusted: new ticket") \
  X(staff_mail_unverified, "pipeline", "mail from a staff address without authentication: kept internal, flagged, nothing sent or applied") \
  X(thread_untrusted, "pipeline", "a mail pointed at a ticket its sender may not continue: a new ticket links it") \
  X(message_attempt_failed, "pipeline", "processing a stored mail failed; it stays in its stage and is tried again after retry_in") \
  X(message_set_aside, "pipeline", "a mail that failed message_attempts times, or could not be fetched, became a flagged ticket with the reason") \
  X(message_failed, "pipeline", "a stored mail could not be processed; the reason is recorded")   \
  X(template_missing, "pipeline", "a mail could not be rendered: the template does not exist")    \
  X(queue_released, "tickets", "tickets queued outside hours were opened; staff got one digest")  \
  X(queue_failed, "tickets", "a timed ticket job (queue, auto-close, overdue) failed this pass")  \
  X(ticket_auto_close_warned, "tickets", "a silent waiting_customer ticket got its closing warning") \
  X(ticket_auto_closed, "tickets", "a silent ticket was closed after its warning")                \
  X(ticket_overdue, "tickets", "a ticket passed its first-response due time without a staff reply") \
  X(message_retry, "cli", "`message retry`: failed messages were set back to fetched for the next pass") \
  X(outbox_retry, "cli", "`outbox retry`: failed outgoing mail was set back to pending, due now, for the next outbox round") \
  X(ticket_reply, "cli", "`ticket reply`: a staff reply was queued")                              \
  X(ticket_note, "cli", "`ticket note`: an internal note was recorded")                           \
  X(ticket_status, "cli", "`ticket status`: the status was set")                                  \
  X(ticket_close, "cli", "`ticket close`: closed with a reason, closing notice queued")           \
  X(ticket_reopen, "cli", "`ticket reopen`: a closed ticket was reopened")                        \
  X(ticket_refuse, "cli", "`ticket refuse`: the rule's out-of-scope refusal queued, ticket closed") \
  X(outbox_sent, "outbox", "an outgoing mail was accepted by the server")                         \
  X(outbox_deferred, "outbox", "a temporary failure: the mail is retried with backoff")           \
  X(outbox_failed, "outbox", "a permanent failure, or retried until smtp.max_age")                \
  X(outbox_bounced, "outbox", "a DSN reported a hard bounce of one of our mails")                 \
  X(outbox_suppressed, "outbox", "automatic mail not sent: the address keeps bouncing")           \
  X(smtp_unavailable, "outbox", "the SMTP server cannot be used now: unreachable, or it refused the session (code and stage: connect, ehlo, starttls, auth, mail_from); the round stops, rows wait")

enum class Event {
#define MADOGUCHI_EVENT_ENUM(name, group, meaning) name,
  MADOGUCHI_LOG_EVENTS(MADOGUCHI_EVENT_ENUM)
#undef MADOGUCHI_EVENT_ENUM
};

struct EventInfo {
  Event event;
  std::string_view name;     // as written after `event=`
  std::string_view group;    // daemon | intake | pipeline | tickets | cli | outbox
  std::string_view meaning;  // for operators
};

// Every event, in catalog order.
std::span<const EventInfo> event_catalog();
std::string_view to_string(Event e);

}  // namespace madoguchi::daemon
