// stages.cpp — see stages.h.
#include "daemon/service/stages.h"

#include "daemon/log/log.h"
#include "daemon/service/decision_json.h"
#include "daemon/service/delivery.h"
#include "daemon/service/routing.h"
#include "daemon/service/set_aside.h"
#include "daemon/service/ticketing.h"
#include "daemon/store/messages.h"
#include "daemon/store/spool.h"
#include "parsers/parsed_mail.h"

#include <algorithm>

namespace madoguchi::daemon {
namespace {

std::string warnings_text(const parsers::ParsedMail& m) {
  std::string out;
  for (const auto& w : m.warnings) {
    if (!out.empty()) out += ',';
    out += parsers::warning_name(w.code);
  }
  return out;
}

bool has_warning(const parsers::ParsedMail& m, parsers::WarningCode code) {
  return std::any_of(m.warnings.begin(), m.warnings.end(),
                     [code](const parsers::Warning& w) { return w.code == code; });
}

[[noreturn]] void conflict(std::int64_t id, MessageState expected) {
  throw StateConflict("message " + std::to_string(id) + " is no longer " + std::string(to_string(expected)));
}

// fetched -> parsed (the parse is redone from the spool after a crash: it is pure).
void record_parse(Context& ctx, const StoredMessage& msg, const parsers::ParsedMail& mail,
                  const std::string& sender) {
  Transaction tx(ctx.store);
  if (!mark_parsed(tx, msg.id, {mail.message_id, mail.subject, sender, warnings_text(mail)}))
    conflict(msg.id, MessageState::fetched);
  tx.commit();
  log_event(spdlog::level::info, Event::mail_parsed,
            {{"message", std::to_string(msg.id)}, {"warnings", warnings_text(mail)}});
}

// parsed -> classified (re-decided after a crash, with the rules in force).
void record_decision(Context& ctx, const StoredMessage& msg, const rules::Desk& desk,
                     const rules::Decision& d, const ProcessedMail& result) {
  ClassifiedFields f;
  f.desk = desk.id;
  f.identity = result.identity;
  f.tenant = d.tenant;
  f.outcome = result.outcome;
  f.action = std::string(rules::to_string(d.action));
  if (!result.rule.empty()) f.rule = d.rule;
  f.decision_json = decision_json(d, desk.hours.utc_offset)
                        .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  Transaction tx(ctx.store);
  if (!mark_classified(tx, msg.id, f)) conflict(msg.id, MessageState::parsed);
  tx.commit();
  log_event(spdlog::level::info, Event::mail_classified,
            {{"message", std::to_string(msg.id)}, {"desk", desk.id}, {"identity", result.identity},
             {"outcome", result.outcome}, {"rule", result.rule.empty() ? "-" : result.rule}});
}

ProcessedMail process(Context& ctx, std::int64_t id) {
  const auto msg = load_message(ctx.store, id);
  if (!msg) throw std::runtime_error("message row vanished");
  // A stub for mail the source could not give us: straight to staff.
  if (msg->stub) return set_aside(ctx, *msg, msg->error);
  ProcessedMail result;
  result.message = id;
  result.mailbox = msg->mailbox;

  const std::string raw = read_file(ctx.store.spool_path(msg->sha256));
  parsers::ParsedMail mail = parsers::parse_mail(raw);
  // Cut at intake: what is stored is incomplete, so the ticket is flagged for staff.
  if (msg->oversize && !has_warning(mail, parsers::WarningCode::truncated_message))
    mail.warnings.push_back({parsers::WarningCode::truncated_message, true,
                             "cut at the mailbox's max_message_size at intake"});
  const std::string sender = mail.from.empty() ? std::string() : rules::normalize_address(mail.from.front().address);
  result.subject = mail.subject;
  result.sender = mask_address(sender);
  if (msg->state == MessageState::fetched) record_parse(ctx, *msg, mail, sender);

  const MailboxConfig* mailbox = ctx.mailbox(msg->mailbox);
  // No desk claims it (no desk address among the recipients, a mailbox without a desk, several
  // desks): the first desk takes it, flagged "unrouted", rather than failing it for ever.
  const Route route = route_mail(ctx.policy(), mail, mailbox ? mailbox->desk : std::string());
  const rules::Desk* desk = route.desk;
  const bool unrouted = route.unrouted;
  if (desk == nullptr) throw std::runtime_error("no desk: the configuration has no desk");
  const rules::Decision decision = ctx.policy().decide(mail, *desk, msg->received_at);
  result.desk = desk->id;
  // Staff mail is its own kind in the log, the message row and `ticket show`: what the rules
  // would say of a customer writing it (not_registered, out_of_scope) means nothing here.
  const bool from_staff = ctx.is_staff(sender);
  result.identity = from_staff ? "staff" : std::string(rules::to_string(decision.identity));
  result.outcome = from_staff ? "staff_mail" : std::string(rules::to_string(decision.outcome));
  result.rule = from_staff ? std::string() : decision.rule.value_or("");
  if (msg->state == MessageState::fetched || msg->state == MessageState::parsed)
    record_decision(ctx, *msg, *desk, decision, result);

  // classified -> ticketed, with the outbox rows it causes, in one transaction.
  Transaction tx(ctx.store);
  ticket_stage(ctx, tx, {id, raw, &mail, sender, desk, &decision, msg->suppress_auto_reply, unrouted}, result);
  std::optional<std::int64_t> ticket_id;
  if (!result.ticket.empty()) ticket_id = load_ticket(ctx.store, result.ticket)->id;
  if (!mark_ticketed(tx, id, ticket_id)) conflict(id, MessageState::classified);
  tx.commit();
  log_event(spdlog::level::info, result.action == MailAction::new_ticket ? Event::ticket_opened : Event::mail_ticketed,
            {{"message", std::to_string(id)}, {"ticket", result.ticket.empty() ? "-" : result.ticket},
             {"desk", desk->id}, {"action", to_string(result.action)},
             {"reply", result.reply.empty() ? "-" : result.reply},
             {"note", result.note.empty() ? "-" : result.note}});
  return result;
}

// A failed attempt at message `id`: counted, and retried after a backoff; at the
// message_attempts-th it is set aside as a flagged ticket (and only when even that fails is
// it marked failed, for `message retry` after a fix). The result to report, or nullopt when
// the database could not be written (busy, or another store error, logged): the message stays
// as it was, for the next pass.
std::optional<ProcessedMail> record_failure(Context& ctx, std::int64_t id, const std::string& error) {
  try {
    // The attempt was counted when it began (begin_attempt).
    const auto retry_at = ctx.now() + retry_delay(std::max(1, load_message(ctx.store, id)->attempts),
                                                  std::uniform_real_distribution<double>(0, 1)(ctx.rng));
    const int attempts = record_failed_attempt(ctx.store, id, error, retry_at);
    if (attempts == 0) return std::nullopt;  // finished by another process meanwhile
    ProcessedMail p;
    p.message = id;
    p.note = error;
    if (attempts < ctx.settings.message_attempts) {
      log_event(spdlog::level::warn, Event::message_attempt_failed,
                {{"message", std::to_string(id)}, {"attempts", std::to_string(attempts)},
                 {"of", std::to_string(ctx.settings.message_attempts)},
                 {"retry_in", std::to_string((retry_at - ctx.now()).count()) + "s"}, {"error", error}});
      p.action = MailAction::retry_later;
      return p;
    }
    try {
      return set_aside(ctx, *load_message(ctx.store, id), error);
    } catch (const StateConflict&) {
      return std::nullopt;
    } catch (const std::exception& e) {
      if (is_busy(e) || is_store_full(e)) throw;
      const std::string both = error + "; setting it aside failed too: " + e.what();
      if (!mark_failed(ctx.store, id, both)) return std::nullopt;
      log_event(spdlog::level::err, Event::message_failed, {{"message", std::to_string(id)}, {"error", both}});
      p.action = MailAction::failed;
      p.note = both;
      return p;
    }
  } catch (const std::exception& e) {
    log_event(spdlog::level::warn,
              is_busy(e) ? Event::store_busy : is_store_full(e) ? Event::store_full : Event::pass_step_failed,
              {{"during", "stages"}, {"message", std::to_string(id)}, {"error", e.what()}});
    return std::nullopt;
  }
}

}  // namespace

std::vector<ProcessedMail> process_pending(Context& ctx, const BetweenMails& between_mails) {
  std::vector<ProcessedMail> out;
  for (const std::int64_t id : unfinished_messages(ctx.store, ctx.now())) {
    try {
      // Counted before the work: a process that dies inside this mail has used the attempt.
      const auto attempt = begin_attempt(ctx.store, id, ctx.now(), ctx.now() + ctx.settings.message_time_limit);
      if (!attempt) continue;  // finished, or leased by another process working on it
      if (*attempt > ctx.settings.message_attempts) {
        // Every earlier attempt ended without a result: the process crashed or was killed
        // (by the watchdog, for one) while working on this mail. Set it aside, go on.
        const auto msg = load_message(ctx.store, id);
        out.push_back(set_aside(ctx, *msg, "attempt " + std::to_string(*attempt - 1) +
                                               " ended without a result (the process was killed or crashed "
                                               "while working on this mail, or exceeded message_time_limit)" +
                                               (msg->error.empty() ? std::string() : "; last error: " + msg->error)));
        if (between_mails) between_mails();
        continue;
      }
      out.push_back(process(ctx, id));
    } catch (const StateConflict&) {
      // Another process (`deliver`, a second `run`) moved this message first; its work stands
      // and ours was rolled back. Nothing to record.
    } catch (const std::exception& e) {
      // The database is locked by another process beyond the busy timeout, or the disk is
      // full: nothing of this step was written, no attempt is counted, and the next messages
      // would fare the same. All of them stay in their state for the next pass.
      if (is_busy(e) || is_store_full(e)) {
        log_event(spdlog::level::warn, is_busy(e) ? Event::store_busy : Event::store_full,
                  {{"during", "stages"}, {"message", std::to_string(id)}});
        break;
      }
      // Anything else (a spool file that cannot be read, a template that fails, a bug) is
      // this message's: counted and retried later, and the others go on.
      auto p = record_failure(ctx, id, e.what());
      if (!p) break;
      out.push_back(std::move(*p));
    }
    if (between_mails) between_mails();
  }
  return out;
}

}  // namespace madoguchi::daemon
