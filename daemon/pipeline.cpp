// pipeline.cpp — see pipeline.h.
#include "daemon/pipeline.h"
#include "daemon/pipeline_detail.h"

#include "daemon/decision_json.h"
#include "daemon/log.h"
#include "daemon/outbox.h"
#include "parsers/parsed_mail.h"
#include "rules/calendar.h"
#include "templates/message.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

namespace madoguchi::daemon {

using std::chrono::sys_seconds;

using detail::display_subject;
using detail::kJapan;

Pipeline::Pipeline(Store& store, MainConfig config, Clock clock)
    : store_(store),
      config_(std::move(config)),
      clock_(std::move(clock)),
      tag_key_(TagKey::load_or_create(config_.tag_key_file.empty() ? store.dir() / "tag.key"
                                                                   : config_.tag_key_file)) {}

void Pipeline::set_runtime(Runtime runtime) { runtime_ = std::move(runtime); }

int Pipeline::intake(MailSource& source, const MailboxConfig& mailbox) {
  const sys_seconds now = clock_();
  auto state = store_.mailbox_state(source.name());
  if (!state) {
    // First run. An IMAP source replaces the 0 with the server's UIDVALIDITY in pending(),
    // before anything is stored under it; first_seen stays.
    store_.set_mailbox_state(source.name(), {0, 0, now});
    state = store_.mailbox_state(source.name());
  }
  int stored = 0;
  for (const SourceItem& item : source.pending()) {
    // Committed earlier, its mark lost in a crash: mark it again without fetching it.
    if (store_.find_message(source.name(), item.key)) {
      source.mark_processed(item);
      continue;
    }
    std::string raw = source.fetch(item);
    // IMAP fetches at most the limit; a Maildir file is cut here, so every source stores alike.
    if (raw.size() > mailbox.max_message_size) raw.resize(mailbox.max_message_size);
    IntakeRecord rec;
    rec.mailbox = source.name();
    rec.source_key = item.key;
    rec.uidvalidity = item.uidvalidity;
    rec.uid = item.uid;
    rec.received_at = item.arrived.value_or(now);
    rec.dedup_by_content = item.uid > 0;
    // Safe first start: mail that was already older than the cutoff when the mailbox was
    // first seen is ticketed without replies (also when that first run was cut by a crash).
    const bool old_at_first_run =
        item.arrived && *item.arrived < state->first_seen - mailbox.first_run_cutoff;
    // Oversize mail (IMAP fetches at most max_message_size bytes): for staff, never answered.
    const bool oversize = raw.size() >= mailbox.max_message_size;
    rec.suppress_auto_reply = old_at_first_run || oversize;
    rec.oversize = oversize;
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
                 {"first_run_old", old_at_first_run ? "true" : "false"},
                 {"oversize", oversize ? "true" : "false"}});
    } else {
      log_event(spdlog::level::info, "mail_duplicate",
                {{"mailbox", source.name()}, {"message", std::to_string(r.message_id)},
                 {"key", item.key}});
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

bool has_warning(const parsers::ParsedMail& m, parsers::WarningCode code) {
  return std::any_of(m.warnings.begin(), m.warnings.end(),
                     [code](const parsers::Warning& w) { return w.code == code; });
}

bool has_critical_warning(const parsers::ParsedMail& m) {
  return std::any_of(m.warnings.begin(), m.warnings.end(),
                     [](const parsers::Warning& w) { return w.critical; });
}


std::string domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string("localhost") : std::string(address.substr(at + 1));
}

std::string new_message_id(std::string_view ticket, std::string_view domain) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return "mg." + (ticket.empty() ? std::string("notice") : std::string(ticket)) + "." + buf + "@" +
         std::string(domain);
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

}  // namespace

namespace detail {
std::string display_subject(std::string_view subject) {
  std::string s(subject);
  for (auto tag = find_ticket_tag(s); tag; tag = find_ticket_tag(s)) {
    const auto pos = s.find("[#" + tag->number);
    const auto end = s.find(']', pos);
    s.erase(pos, end == std::string::npos ? std::string::npos : end - pos + 1);
  }
  for (bool again = true; again;) {
    again = false;
    std::size_t i = s.find_first_not_of(' ');
    s.erase(0, i == std::string::npos ? s.size() : i);
    for (const char* prefix : {"Re:", "RE:", "re:", "Fw:", "FW:", "Fwd:", "AW:", "返信:", "転送:"}) {
      if (s.rfind(prefix, 0) == 0) {
        s.erase(0, std::string_view(prefix).size());
        again = true;
      }
    }
  }
  if (s.empty()) s = "(件名なし)";
  return utf8_prefix(s, 40);
}
}  // namespace detail

namespace {

bool is_refusal(const rules::Decision& d) {
  return d.outcome == rules::Outcome::redirect ||
         (d.outcome == rules::Outcome::out_of_scope && d.action == rules::Action::reply) ||
         d.identity != rules::Identity::eligible;
}

}  // namespace


const rules::Desk& Pipeline::desk_of(const TicketRow& ticket) const {
  if (const rules::Desk* d = runtime_.policy->desk(ticket.desk)) return *d;
  throw std::runtime_error("ticket " + ticket.number + " belongs to desk '" + ticket.desk +
                           "', which the configuration no longer has");
}

std::string Pipeline::queue_mail(const Outgoing& m) {
  const sys_seconds now = clock_();
  const rules::Desk& desk = *m.desk;
  std::string tmpl = m.template_name;
  if (auto it = desk.templates.find(m.template_name); it != desk.templates.end()) tmpl = it->second;
  if (!runtime_.templates->has(tmpl)) {
    log_event(spdlog::level::err, "template_missing", {{"template", tmpl}, {"desk", desk.id}});
    return {};
  }
  templates::Values v = m.values;
  v.emplace("desk_name", desk.name);
  v.emplace("desk_address", desk.addresses.empty() ? std::string() : desk.addresses.front());
  v.emplace("desk_hours", desk.hours_text);
  if (m.ticket) {
    v.emplace("ticket_tag", tag_key_.tag(m.ticket->number));
    v.emplace("ticket_number", m.ticket->number);
    v.emplace("original_subject", display_subject(m.ticket->subject));
  }
  const templates::RenderedMail rendered = runtime_.templates->render(tmpl, v);
  if (!rendered.ok) throw std::runtime_error("template " + tmpl + ": " + rendered.error);
  const std::string from =
      desk.addresses.empty() ? std::string("support@localhost") : desk.addresses.front();
  templates::OutgoingMessage out;
  out.from_name = desk.name;
  out.from_address = from;
  out.to_name = m.to_name;
  out.to_address = m.to_address;
  out.reply_to = from;
  out.subject = rendered.subject;
  out.body = rendered.body;
  out.message_id = new_message_id(m.ticket ? m.ticket->number : std::string(), domain_of(from));
  out.in_reply_to = m.in_reply_to;
  out.references = m.references;
  out.auto_submitted = m.auto_submitted;
  out.date = now;
  // The tenant's charset wins over the desk's (ISO-2022-JP for mail systems that need it).
  std::string charset = desk.mail_charset;
  if (m.ticket && m.ticket->tenant)
    for (const auto& tenant : runtime_.policy->tenants())
      if (tenant.id == *m.ticket->tenant && !tenant.mail_charset.empty()) charset = tenant.mail_charset;
  templates::parse_body_encoding(charset, out.encoding);
  if (m.ticket) out.extra_headers.push_back({"X-Madoguchi-Ticket", m.ticket->number});
  OutboxRow row;
  if (m.ticket) row.ticket_id = m.ticket->id;
  row.cause_message = m.cause;
  row.kind = m.kind;
  row.template_name = tmpl;
  // Automatic mail goes out with the null sender (RFC 3834) so that nothing answers it.
  row.envelope_from = m.auto_submitted.empty() ? from : std::string();
  row.recipient = m.to_address;
  row.message_id = out.message_id;
  row.raw = templates::compose_message(out);
  enqueue(store_.db(), row, now);
  return out.message_id;
}

void Pipeline::notify_staff(const rules::Desk& desk, const std::string& template_name,
                            const TicketRow* ticket, templates::Values values) {
  for (const auto& staff : config_.staff) {
    Outgoing m;
    m.desk = &desk;
    m.ticket = ticket;
    m.template_name = template_name;
    m.values = values;
    m.to_address = staff;
    m.kind = "staff_notice";
    m.auto_submitted = "auto-generated";
    queue_mail(m);
  }
}

bool Pipeline::sender_trusted(const std::string& sender, const TicketRow& ticket) const {
  if (sender.empty()) return false;
  if (sender == ticket.requester) return true;
  if (!ticket.tenant) return false;
  for (const auto& tenant : runtime_.policy->tenants())
    if (tenant.id == *ticket.tenant)
      return std::find(tenant.admins.begin(), tenant.admins.end(), sender) != tenant.admins.end();
  return false;
}

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
  bool oversize = false;
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
    oversize = q.getColumn(4).getInt() == 2;
  }
  ProcessedMail result;
  result.message = id;
  result.mailbox = mailbox;

  // parse: fetched -> parsed
  const std::string raw = read_file(store_.spool_path(sha));
  parsers::ParsedMail mail = parsers::parse_mail(raw);
  // Cut at intake: what is stored is incomplete, so the ticket is flagged for staff.
  if (oversize && !has_warning(mail, parsers::WarningCode::truncated_message))
    mail.warnings.push_back({parsers::WarningCode::truncated_message, true,
                             "cut at the mailbox's max_message_size at intake"});
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
  if (desk == nullptr)
    throw std::runtime_error("no desk: recipients match no desk address and the mailbox has no desk");
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
    upd.bind(7, decision_json(decision, kJapan).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
    upd.bind(8, id);
    upd.exec();
    tx.commit();
    log_event(spdlog::level::info, "mail_classified",
              {{"message", mid}, {"desk", desk->id}, {"identity", result.identity},
               {"outcome", result.outcome}, {"rule", result.rule.empty() ? "-" : result.rule}});
  }

  // ticket: classified -> ticketed, with the outbox rows it causes, in one transaction
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  ticket_stage(id, raw, mail, sender, *desk, decision, suppress, result);
  {
    SQLite::Statement upd(db, "UPDATE messages SET ticket_id = ?, state = 'ticketed' WHERE id = ?");
    if (!result.ticket.empty()) {
      upd.bind(1, load_ticket(db, result.ticket)->id);
    } else {
      upd.bind(1);
    }
    upd.bind(2, id);
    upd.exec();
  }
  tx.commit();
  log_event(spdlog::level::info, result.action == "new_ticket" ? "ticket_opened" : "mail_ticketed",
            {{"message", mid}, {"ticket", result.ticket.empty() ? "-" : result.ticket},
             {"desk", desk->id}, {"action", result.action},
             {"reply", result.reply.empty() ? "-" : result.reply},
             {"note", result.note.empty() ? "-" : result.note}});
  return result;
}

void Pipeline::ticket_stage(std::int64_t id, std::string_view raw, const parsers::ParsedMail& mail,
                            const std::string& sender, const rules::Desk& desk,
                            const rules::Decision& decision, bool suppress, ProcessedMail& result) {
  SQLite::Database& db = store_.db();
  const sys_seconds now = clock_();
  const std::string mid = std::to_string(id);

  if (decision.outcome == rules::Outcome::bounce) {
    result.action = "bounce";
    // A hard bounce marks our message and counts towards suppressing automatic mail to the
    // address; a delay notice marks nothing. Never answered either way.
    const DsnSummary dsn = summarize_dsn(raw);
    const bool marked = !mail.dsn_original_message_id.empty() &&
                        mark_bounced(db, mail.dsn_original_message_id, dsn, now);
    result.note = !marked ? "bounce for an unknown message"
                  : dsn.hard ? "outbox message marked bounced (" + dsn.status + ")"
                             : (dsn.delayed ? "delay notice" : "delivery notice without failure");
    return;
  }

  const bool from_staff =
      std::find(config_.staff.begin(), config_.staff.end(), sender) != config_.staff.end();
  const ThreadResult thread = find_thread(
      db, mail, tag_key_, [&](const TicketRow& t) { return from_staff || sender_trusted(sender, t); });

  if (from_staff) {
    if (thread.match) {
      result.ticket = thread.match->ticket.number;
      apply_staff_mail(thread.match->ticket, mail, sender, result);
    } else {
      result.action = "staff_mail_ignored";
      result.note = "staff mail without a ticket tag";
    }
    return;
  }

  if (thread.rejected_tag) {
    log_event(spdlog::level::warn, "thread_tag_rejected",
              {{"message", mid}, {"tag", *thread.rejected_tag}, {"from", mask_address(sender)}});
  }

  if (thread.match) {
    const TicketRow& t = thread.match->ticket;
    if (decision.outcome == rules::Outcome::auto_reply_received) {
      result.ticket = t.number;
      result.action = "auto_reply_ignored";
      result.note = decision.loop_reason.value_or("auto_reply");
      add_ticket_event(db, t.id, now, "system", "auto_reply_received", "message " + mid);
      return;
    }
    const bool closed = t.status == "closed";
    if (closed && t.closed_at && now - *t.closed_at > desk.reopen_window) {
      // Too late to reopen: a new ticket that links the old one.
      open_ticket(id, mail, sender, desk, decision, suppress, t.id, result);
      result.note = "continues closed " + t.number;
      return;
    }
    result.ticket = t.number;
    result.action = closed ? "reopened" : "follow_up";
    add_ticket_event(db, t.id, now, "customer", "customer_follow_up", "message " + mid);
    if (closed || t.status == "waiting_customer") set_ticket_status(db, t, "open", now, "customer");
    templates::Values v{{"requester", t.requester},
                        {"received_at", rules::format_japanese(now, kJapan)},
                        {"status", closed ? "reopened" : "open"}};
    notify_staff(desk, "staff_follow_up", &t, v);
    return;
  }

  if (decision.outcome == rules::Outcome::auto_reply_received) {
    result.action = "auto_reply_ignored";
    result.note = decision.loop_reason.value_or("auto_reply");
    return;
  }
  open_ticket(id, mail, sender, desk, decision, suppress, std::nullopt, result);
}

void Pipeline::open_ticket(std::int64_t id, const parsers::ParsedMail& mail,
                           const std::string& sender, const rules::Desk& desk,
                           const rules::Decision& decision, bool suppress,
                           std::optional<std::int64_t> parent, ProcessedMail& result) {
  SQLite::Database& db = store_.db();
  const sys_seconds now = clock_();
  result.action = "new_ticket";
  NewTicket t;
  t.desk = desk.id;
  t.tenant = decision.tenant;
  t.requester = sender;
  if (!mail.from.empty()) t.requester_name = mail.from.front().name;
  t.subject = mail.subject;
  t.status = decision.queued ? "queued" : "open";
  t.outcome = result.outcome;
  t.rule = decision.rule;
  t.reason = decision.reason;
  t.flagged = decision.action == rules::Action::flag || has_critical_warning(mail);
  t.received_at = decision.received_at;
  t.accepted_at = decision.accepted_at;
  t.first_response_due = decision.first_response_due;
  t.parent = parent;
  const TicketRow ticket = create_ticket(db, t, now);
  result.ticket = ticket.number;
  add_ticket_event(db, ticket.id, now, "system", "ticket_opened",
                   result.outcome + (decision.rule ? " rule=" + *decision.rule : "") +
                       (parent ? " parent=" + ticket_number(*parent) : ""));

  // The automatic reply: acknowledgement, refusal or redirect.
  std::string why_not;
  if (!decision.auto_reply || decision.template_name.empty()) {
    why_not = decision.loop_reason.value_or("no automatic reply for this outcome");
  } else if (suppress) {
    why_not = has_warning(mail, parsers::WarningCode::truncated_message) ? "oversize_mail" : "first_run_old_mail";
  } else if (sender.empty()) {
    why_not = "no_sender";
  } else {
    SQLite::Statement count(db, "SELECT COUNT(*) FROM auto_replies WHERE recipient = ? AND at > ?");
    count.bind(1, sender);
    count.bind(2, to_unix(now - std::chrono::hours(1)));
    count.executeStep();
    if (count.getColumn(0).getInt() >= config_.auto_replies_per_hour) why_not = "rate_limited";
  }
  bool closed_by_refusal = false;
  if (!why_not.empty()) {
    result.note = why_not;
    if (is_refusal(decision)) {
      // A refusal that cannot be sent must not silently close: a person looks at it.
      SQLite::Statement upd(db, "UPDATE tickets SET flagged = 1 WHERE id = ?");
      upd.bind(1, ticket.id);
      upd.exec();
    }
  } else {
    Outgoing m;
    m.desk = &desk;
    m.ticket = &ticket;
    m.template_name = decision.template_name;
    m.values = {
        {"customer_name", !mail.from.empty() && !mail.from.front().name.empty()
                              ? mail.from.front().name : sender},
        {"received_at", rules::format_japanese(decision.received_at, kJapan)},
        {"accepted_at", rules::format_japanese(decision.accepted_at, kJapan)},
        {"due_at", rules::format_japanese(decision.first_response_due, kJapan)},
        {"contract", decision.contract.value_or("")},
        {"reason_text", decision.reason_text.value_or("")},
    };
    if (decision.tenant) {
      for (const auto& tenant : runtime_.policy->tenants())
        if (tenant.id == *decision.tenant) m.values["company"] = tenant.company;
    }
    m.to_address = sender;
    m.to_name = mail.from.empty() ? std::string() : mail.from.front().name;
    m.kind = is_refusal(decision) ? "refusal" : "acknowledgement";
    m.auto_submitted = "auto-replied";
    m.in_reply_to = mail.message_id;
    m.references = mail.references;
    if (!mail.message_id.empty()) m.references.push_back(mail.message_id);
    m.cause = id;
    if (!queue_mail(m).empty()) {
      SQLite::Statement ar(db, "INSERT INTO auto_replies (recipient, at) VALUES (?, ?)");
      ar.bind(1, sender);
      ar.bind(2, to_unix(now));
      ar.exec();
      result.reply = decision.template_name;
      if (is_refusal(decision)) {
        set_ticket_status(db, ticket, "closed", now, "system", "out_of_scope");
        closed_by_refusal = true;
      }
    } else {
      result.note = "template missing: " + decision.template_name;
    }
  }
  // Staff hear of a new ticket at once, unless it waits for the opening (then the digest
  // lists it) or it was answered and closed automatically.
  if (!decision.queued && !closed_by_refusal) {
    templates::Values v{{"requester", sender},
                        {"received_at", rules::format_japanese(decision.received_at, kJapan)},
                        {"accepted_at", rules::format_japanese(decision.accepted_at, kJapan)},
                        {"due_at", rules::format_japanese(decision.first_response_due, kJapan)},
                        {"outcome", result.outcome},
                        {"rule", decision.rule.value_or("")},
                        {"flagged", t.flagged ? "要確認" : ""}};
    notify_staff(desk, "staff_new_ticket", &ticket, v);
  }
}

void Pipeline::apply_staff_mail(const TicketRow& ticket, const parsers::ParsedMail& mail,
                                const std::string& sender, ProcessedMail& result) {
  SQLite::Database& db = store_.db();
  const sys_seconds now = clock_();
  const StaffMail staff = parse_staff_mail(mail.text);
  if (!staff.errors.empty()) {
    // Nothing is applied from a mail with a command error: the staff member fixes and resends.
    std::string all;
    for (const auto& e : staff.errors) all += (all.empty() ? "" : "; ") + e;
    add_ticket_event(db, ticket.id, now, sender, "staff_command_rejected", all);
    result.action = "staff_command";
    result.note = "rejected: " + all;
    return;
  }
  result.action = staff.internal_note ? "staff_note" : (staff.text.empty() ? "staff_command" : "staff_reply");
  if (!staff.text.empty()) {
    if (staff.internal_note)
      staff_note(ticket, staff.text, sender);
    else
      staff_reply(ticket, staff.text, sender);
  }
  for (const auto& c : staff.commands) {
    auto current = load_ticket(db, ticket.id);
    switch (c.kind) {
      case StaffCommandKind::close: staff_close(*current, c.argument, sender); break;
      case StaffCommandKind::status: staff_status(*current, c.argument, sender); break;
      case StaffCommandKind::reopen: staff_status(*current, "open", sender); break;
      case StaffCommandKind::note: break;
    }
  }
}

}  // namespace madoguchi::daemon
