// pipeline.cpp — see pipeline.h.
#include "daemon/pipeline.h"

#include "daemon/log.h"
#include "daemon/outbox.h"
#include "daemon/tickets.h"
#include "parsers/parsed_mail.h"
#include "rules/calendar.h"
#include "templates/message.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

namespace madoguchi::daemon {

using std::chrono::sys_seconds;

Pipeline::Pipeline(Store& store, MainConfig config, Clock clock)
    : store_(store), config_(std::move(config)), clock_(std::move(clock)) {}

void Pipeline::set_runtime(Runtime runtime) { runtime_ = std::move(runtime); }

int Pipeline::intake(MailSource& source, const MailboxConfig& mailbox) {
  const sys_seconds now = clock_();
  auto state = store_.mailbox_state(source.name());
  const bool first_run = !state.has_value();
  if (first_run) {
    store_.set_mailbox_state(source.name(), {0, 0, now});
    state = store_.mailbox_state(source.name());
  }
  int stored = 0;
  for (const SourceItem& item : source.pending()) {
    const std::string raw = source.fetch(item);
    IntakeRecord rec;
    rec.mailbox = source.name();
    rec.source_key = item.key;
    rec.uidvalidity = item.uidvalidity;
    rec.uid = item.uid;
    rec.received_at = item.arrived.value_or(now);
    // Safe first start: old mail found on the first run is ticketed without replies.
    rec.suppress_auto_reply =
        first_run && item.arrived && *item.arrived < now - mailbox.first_run_cutoff;
    const IntakeResult r = store_.store_incoming(rec, raw);
    // Mark at the source only now that the row is committed (a duplicate was committed
    // earlier and its mark was lost in a crash: mark it again).
    source.mark_processed(item);
    if (!r.duplicate) {
      ++stored;
      const std::string id = std::to_string(r.message_id);
      const std::string size = std::to_string(raw.size());
      log_event(spdlog::level::info, "mail_stored",
                {{"mailbox", source.name()}, {"message", id}, {"size", size},
                 {"first_run_old", rec.suppress_auto_reply ? "true" : "false"}});
    }
  }
  return stored;
}

namespace {

std::string warnings_text(const parsers::ParsedMail& m) {
  std::string out;
  for (const auto& w : m.warnings) {
    if (!out.empty()) out += ',';
    out += parsers::warning_name(w.code);
  }
  return out;
}

bool has_critical_warning(const parsers::ParsedMail& m) {
  return std::any_of(m.warnings.begin(), m.warnings.end(),
                     [](const parsers::Warning& w) { return w.critical; });
}

std::string decision_json(const rules::Decision& d) {
  using nlohmann::json;
  auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  json j{{"desk", d.desk},
         {"identity", rules::to_string(d.identity)},
         {"tenant", opt(d.tenant)},
         {"contract", opt(d.contract)},
         {"outcome", rules::to_string(d.outcome)},
         {"action", rules::to_string(d.action)},
         {"rule", opt(d.rule)},
         {"reason", opt(d.reason)},
         {"matched", d.matched},
         {"auto_reply", d.auto_reply},
         {"loop_reason", opt(d.loop_reason)},
         {"template", d.template_name},
         {"received_at", rules::format_iso8601(d.received_at, std::chrono::hours(9))},
         {"accepted_at", rules::format_iso8601(d.accepted_at, std::chrono::hours(9))},
         {"first_response_due", rules::format_iso8601(d.first_response_due, std::chrono::hours(9))},
         {"queued", d.queued}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string("localhost") : std::string(address.substr(at + 1));
}

std::string new_message_id(std::string_view ticket, std::string_view domain) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return "mg." + std::string(ticket) + "." + buf + "@" + std::string(domain);
}

// Cuts a UTF-8 string to at most `max_chars` code points.
std::string utf8_prefix(std::string_view s, std::size_t max_chars) {
  std::size_t i = 0, chars = 0;
  while (i < s.size() && chars < max_chars) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    ++chars;
  }
  std::string out(s.substr(0, std::min(i, s.size())));
  if (i < s.size()) out += "…";
  return out;
}

bool is_refusal(const rules::Decision& d) {
  return d.outcome == rules::Outcome::redirect ||
         (d.outcome == rules::Outcome::out_of_scope && d.action == rules::Action::reply);
}

}  // namespace

std::vector<ProcessedMail> Pipeline::process_pending() {
  std::vector<std::int64_t> ids;
  {
    SQLite::Statement q(store_.db(),
                        "SELECT id FROM messages WHERE state IN ('fetched','parsed','classified') "
                        "AND direction = 'in' ORDER BY id");
    while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
  }
  std::vector<ProcessedMail> out;
  for (auto id : ids) {
    try {
      out.push_back(process(id));
    } catch (const std::exception& e) {
      // A bug or an IO failure in one message must not stop the others: record and go on.
      SQLite::Statement upd(store_.db(), "UPDATE messages SET state = 'failed', error = ? WHERE id = ?");
      upd.bind(1, std::string(e.what()));
      upd.bind(2, id);
      upd.exec();
      const std::string mid = std::to_string(id);
      log_event(spdlog::level::err, "message_failed", {{"message", mid}, {"error", e.what()}});
      ProcessedMail p;
      p.message = id;
      p.action = "failed";
      p.note = e.what();
      out.push_back(std::move(p));
    }
  }
  return out;
}

ProcessedMail Pipeline::process(std::int64_t id) {
  SQLite::Database& db = store_.db();
  std::string mailbox, sha, state;
  sys_seconds received_at{};
  bool suppress = false;
  {
    SQLite::Statement q(db,
                        "SELECT mailbox, sha256, state, received_at, suppress_auto_reply "
                        "FROM messages WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) throw std::runtime_error("message row vanished");
    mailbox = q.getColumn(0).getString();
    sha = q.getColumn(1).getString();
    state = q.getColumn(2).getString();
    received_at = from_unix(q.getColumn(3).getInt64());
    suppress = q.getColumn(4).getInt() != 0;
  }
  ProcessedMail result;
  result.message = id;
  result.mailbox = mailbox;

  // parse: fetched -> parsed
  const std::string raw = read_file(store_.spool_path(sha));
  const parsers::ParsedMail mail = parsers::parse_mail(raw);
  const std::string sender =
      mail.from.empty() ? std::string() : rules::normalize_address(mail.from.front().address);
  result.subject = mail.subject;
  result.sender = mask_address(sender);
  const std::string mid = std::to_string(id);
  if (state == "fetched") {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement upd(db,
                          "UPDATE messages SET message_id = ?, subject = ?, sender = ?, "
                          "warnings = ?, state = 'parsed' WHERE id = ?");
    upd.bind(1, mail.message_id);
    upd.bind(2, mail.subject);
    upd.bind(3, sender);
    upd.bind(4, warnings_text(mail));
    upd.bind(5, id);
    upd.exec();
    tx.commit();
    state = "parsed";
    log_event(spdlog::level::info, "mail_parsed",
              {{"message", mid}, {"warnings", warnings_text(mail)}});
  }

  // classify: parsed -> classified (re-decided after a crash, with the rules in force)
  const rules::Policy& policy = *runtime_.policy;
  std::string default_desk;
  for (const auto& m : config_.mailboxes)
    if (m.name == mailbox) default_desk = m.desk;
  const rules::Desk* desk = policy.route(mail, default_desk);
  if (desk == nullptr) throw std::runtime_error("no desk: recipients match no desk address and the mailbox has no desk");
  const rules::Decision decision = policy.decide(mail, *desk, received_at);
  result.desk = desk->id;
  result.identity = std::string(rules::to_string(decision.identity));
  result.outcome = std::string(rules::to_string(decision.outcome));
  result.rule = decision.rule.value_or("");
  if (state == "parsed") {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement upd(db,
                          "UPDATE messages SET desk = ?, identity = ?, tenant = ?, outcome = ?, "
                          "action = ?, rule = ?, decision = ?, state = 'classified' WHERE id = ?");
    upd.bind(1, desk->id);
    upd.bind(2, result.identity);
    if (decision.tenant) upd.bind(3, *decision.tenant); else upd.bind(3);
    upd.bind(4, result.outcome);
    upd.bind(5, std::string(rules::to_string(decision.action)));
    if (decision.rule) upd.bind(6, *decision.rule); else upd.bind(6);
    upd.bind(7, decision_json(decision));
    upd.bind(8, id);
    upd.exec();
    tx.commit();
    log_event(spdlog::level::info, "mail_classified",
              {{"message", mid}, {"desk", desk->id}, {"identity", result.identity},
               {"outcome", result.outcome}, {"rule", result.rule.empty() ? "-" : result.rule}});
  }

  // ticket: classified -> ticketed, with the outbox rows it causes, in one transaction
  const sys_seconds now = clock_();
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  std::optional<std::int64_t> ticket_id;
  std::string ticket_number_text;
  std::string event_name;

  const bool from_staff = std::find(config_.staff.begin(), config_.staff.end(), sender) != config_.staff.end();
  if (decision.outcome == rules::Outcome::bounce) {
    result.action = "bounce";
    if (!mail.dsn_original_message_id.empty()) {
      SQLite::Statement upd(db, "UPDATE outbox SET state = 'bounced' WHERE message_id = ?");
      upd.bind(1, mail.dsn_original_message_id);
      if (upd.exec() > 0) result.note = "outbox message marked bounced";
    }
    event_name = "bounce_received";
  } else if (auto thread = find_thread(db, mail)) {
    ticket_id = thread->id;
    ticket_number_text = thread->number;
    if (from_staff) {
      // Staff replies and commands by e-mail are issue 8; until then the mail is kept on
      // the ticket for staff to read, and nothing is sent.
      result.action = "staff_mail";
      add_ticket_event(db, thread->id, now, "staff", "staff_mail_received", "message " + mid);
    } else if (decision.outcome == rules::Outcome::auto_reply_received) {
      result.action = "auto_reply_ignored";
      add_ticket_event(db, thread->id, now, "system", "auto_reply_received", "message " + mid);
    } else {
      result.action = "follow_up";
      add_ticket_event(db, thread->id, now, "customer", "customer_follow_up", "message " + mid);
      if (thread->status == "waiting_customer" || thread->status == "closed") {
        SQLite::Statement upd(db, "UPDATE tickets SET status = 'open', closed_at = NULL, close_reason = NULL WHERE id = ?");
        upd.bind(1, thread->id);
        upd.exec();
        add_ticket_event(db, thread->id, now, "customer", "ticket_reopened", "customer follow-up");
      }
    }
    event_name = "ticket_follow_up";
  } else if (decision.outcome == rules::Outcome::auto_reply_received || from_staff) {
    result.action = from_staff ? "staff_mail" : "auto_reply_ignored";
    result.note = decision.loop_reason.value_or(from_staff ? "staff mail without a ticket" : "");
    event_name = "mail_ignored";
  } else {
    result.action = "new_ticket";
    NewTicket t;
    t.desk = desk->id;
    t.tenant = decision.tenant;
    t.requester = sender;
    t.subject = mail.subject;
    t.status = decision.queued ? "queued" : "open";
    t.outcome = result.outcome;
    t.rule = decision.rule;
    t.reason = decision.reason;
    t.flagged = decision.action == rules::Action::flag || has_critical_warning(mail);
    t.received_at = decision.received_at;
    t.accepted_at = decision.accepted_at;
    t.first_response_due = decision.first_response_due;
    const TicketRef ref = create_ticket(db, t, now);
    ticket_id = ref.id;
    ticket_number_text = ref.number;
    add_ticket_event(db, ref.id, now, "system", "ticket_opened",
                     result.outcome + (decision.rule ? " rule=" + *decision.rule : ""));
    event_name = "ticket_opened";

    // The automatic reply: acknowledgement, refusal or redirect.
    std::string why_not;
    if (!decision.auto_reply || decision.template_name.empty()) {
      why_not = decision.loop_reason.value_or("no automatic reply for this outcome");
    } else if (suppress) {
      why_not = "first_run_old_mail";
    } else if (sender.empty()) {
      why_not = "no_sender";
    } else {
      SQLite::Statement count(db, "SELECT COUNT(*) FROM auto_replies WHERE recipient = ? AND at > ?");
      count.bind(1, sender);
      count.bind(2, to_unix(now - std::chrono::hours(1)));
      count.executeStep();
      if (count.getColumn(0).getInt() >= config_.auto_replies_per_hour) why_not = "rate_limited";
    }
    if (!why_not.empty()) {
      result.note = why_not;
      if (is_refusal(decision) || decision.identity != rules::Identity::eligible) {
        // A refusal that cannot be sent must not silently close: a person looks at it.
        SQLite::Statement upd(db, "UPDATE tickets SET flagged = 1 WHERE id = ?");
        upd.bind(1, ref.id);
        upd.exec();
      }
    } else {
      const std::string tmpl =
          desk->templates.count(decision.template_name) ? desk->templates.at(decision.template_name)
                                                        : decision.template_name;
      const auto tz = std::chrono::hours(9);
      templates::Values v{
          {"ticket_tag", ticket_tag(ref.number)},
          {"ticket_number", ref.number},
          {"original_subject", utf8_prefix(mail.subject.empty() ? "(件名なし)" : mail.subject, 40)},
          {"customer_name", !mail.from.empty() && !mail.from.front().name.empty()
                                ? mail.from.front().name : sender},
          {"desk_name", desk->name},
          {"desk_address", desk->addresses.empty() ? std::string() : desk->addresses.front()},
          {"desk_hours", desk->hours_text},
          {"received_at", rules::format_japanese(decision.received_at, tz)},
          {"accepted_at", rules::format_japanese(decision.accepted_at, tz)},
          {"due_at", rules::format_japanese(decision.first_response_due, tz)},
          {"contract", decision.contract.value_or("")},
          {"reason_text", decision.reason.value_or("")},
      };
      if (decision.tenant) {
        for (const auto& tenant : policy.tenants())
          if (tenant.id == *decision.tenant) v["company"] = tenant.company;
      }
      const templates::RenderedMail rendered = runtime_.templates->render(tmpl, v);
      if (!rendered.ok) throw std::runtime_error("template " + tmpl + ": " + rendered.error);
      const std::string from = desk->addresses.empty() ? std::string("support@localhost") : desk->addresses.front();
      templates::OutgoingMessage out;
      out.from_name = desk->name;
      out.from_address = from;
      out.to_name = mail.from.empty() ? std::string() : mail.from.front().name;
      out.to_address = sender;
      out.reply_to = from;
      out.subject = rendered.subject;
      out.body = rendered.body;
      out.message_id = new_message_id(ref.number, domain_of(from));
      out.in_reply_to = mail.message_id;
      out.references = mail.references;
      if (!mail.message_id.empty()) out.references.push_back(mail.message_id);
      out.auto_submitted = "auto-replied";
      out.date = now;
      out.extra_headers.push_back({"X-Madoguchi-Ticket", ref.number});
      OutboxRow row;
      row.ticket_id = ref.id;
      row.cause_message = id;
      row.kind = decision.identity != rules::Identity::eligible || is_refusal(decision) ? "refusal" : "acknowledgement";
      row.template_name = tmpl;
      row.envelope_from = "";  // null sender for automatic replies (RFC 3834)
      row.recipient = sender;
      row.message_id = out.message_id;
      row.raw = templates::compose_message(out);
      enqueue(db, row, now);
      SQLite::Statement ar(db, "INSERT INTO auto_replies (recipient, at) VALUES (?, ?)");
      ar.bind(1, sender);
      ar.bind(2, to_unix(now));
      ar.exec();
      result.reply = tmpl;
      if (is_refusal(decision) || decision.identity != rules::Identity::eligible) {
        SQLite::Statement upd(db, "UPDATE tickets SET status = 'closed', closed_at = ?, close_reason = 'out_of_scope' WHERE id = ?");
        upd.bind(1, to_unix(now));
        upd.bind(2, ref.id);
        upd.exec();
        add_ticket_event(db, ref.id, now, "system", "ticket_closed", "out_of_scope (automatic refusal)");
      }
    }
  }
  {
    SQLite::Statement upd(db, "UPDATE messages SET ticket_id = ?, state = 'ticketed' WHERE id = ?");
    if (ticket_id) upd.bind(1, *ticket_id); else upd.bind(1);
    upd.bind(2, id);
    upd.exec();
  }
  tx.commit();
  result.ticket = ticket_number_text;
  log_event(spdlog::level::info, event_name,
            {{"message", mid}, {"ticket", ticket_number_text.empty() ? "-" : ticket_number_text},
             {"desk", desk->id}, {"action", result.action},
             {"reply", result.reply.empty() ? "-" : result.reply},
             {"note", result.note.empty() ? "-" : result.note}});
  return result;
}

}  // namespace madoguchi::daemon
