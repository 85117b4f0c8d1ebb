// mailer.cpp — see mailer.h.
#include "daemon/service/mailer.h"

#include "daemon/log/log.h"
#include "daemon/service/staff_reply_address.h"
#include "daemon/store/messages.h"
#include "daemon/store/outbox.h"
#include "templates/message.h"

#include <cstdio>

namespace madoguchi::daemon {
namespace {

std::string domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string("localhost") : std::string(address.substr(at + 1));
}

std::string new_message_id(Context& ctx, std::string_view ticket, std::string_view domain) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(ctx.rng()));
  return "mg." + (ticket.empty() ? std::string("notice") : std::string(ticket)) + "." + buf + "@" +
         std::string(domain);
}

// The tenant's charset wins over the desk's (ISO-2022-JP for mail systems that need it).
std::string charset_for(const Context& ctx, const rules::Desk& desk, const TicketRow* ticket) {
  if (ticket)
    if (const rules::Tenant* t = ctx.tenant(ticket->tenant); t && !t->mail_charset.empty())
      return t->mail_charset;
  return desk.mail_charset;
}

}  // namespace

std::string queue_mail(Context& ctx, Transaction& tx, const Outgoing& m) {
  const auto now = ctx.now();
  const rules::Desk& desk = *m.desk;
  std::string tmpl = m.template_name;
  if (auto it = desk.templates.find(m.template_name); it != desk.templates.end()) tmpl = it->second;
  if (!ctx.templates().has(tmpl)) {
    log_event(spdlog::level::err, Event::template_missing, {{"template", tmpl}, {"desk", desk.id}});
    return {};
  }
  templates::Values v = m.values;
  v.emplace("desk_name", desk.name);
  v.emplace("desk_address", desk.addresses.empty() ? std::string() : desk.addresses.front());
  v.emplace("desk_hours", desk.hours_text);
  if (m.ticket) {
    v.emplace("ticket_tag", ctx.tag_key.tag(m.ticket->number));
    v.emplace("ticket_number", m.ticket->number);
    v.emplace("original_subject", display_subject(m.ticket->subject));
  }
  const templates::RenderedMail rendered = ctx.templates().render(tmpl, v);
  if (!rendered.ok) throw std::runtime_error("template " + tmpl + ": " + rendered.error);
  const std::string from = desk.addresses.empty() ? std::string("support@localhost") : desk.addresses.front();
  templates::OutgoingMessage out;
  out.from_name = desk.name;
  out.from_address = from;
  out.to_name = m.to_name;
  out.to_address = m.to_address;
  out.reply_to = m.reply_to.empty() ? from : m.reply_to;
  out.subject = rendered.subject;
  out.body = rendered.body;
  out.message_id = new_message_id(ctx, m.ticket ? m.ticket->number : std::string(), domain_of(from));
  out.in_reply_to = m.in_reply_to;
  out.references = m.references;
  out.auto_submitted = m.auto_submitted;
  out.date = now;
  out.attachments = m.attachments;
  templates::parse_body_encoding(charset_for(ctx, desk, m.ticket), out.encoding);
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
  enqueue(tx, row, now);
  return out.message_id;
}

void notify_staff(Context& ctx, Transaction& tx, const rules::Desk& desk, const std::string& template_name,
                  const TicketRow* ticket, const templates::Values& values,
                  const std::vector<templates::OutgoingAttachment>& attachments) {
  for (const auto& staff : ctx.settings.staff) {
    Outgoing m;
    m.desk = &desk;
    m.ticket = ticket;
    m.template_name = template_name;
    m.values = values;
    m.to_address = staff;
    if (ticket) m.reply_to = keyed_reply_address(ctx.tag_key, desk, ticket->number, staff);
    m.kind = "staff_notice";
    m.auto_submitted = "auto-generated";
    m.attachments = attachments;
    queue_mail(ctx, tx, m);
  }
}

Outgoing to_requester(Context& ctx, const TicketRow& ticket, const rules::Desk& desk) {
  Outgoing m;
  m.desk = &desk;
  m.ticket = &ticket;
  m.to_address = ticket.requester;
  m.to_name = ticket.requester_name;
  // Every mail to the customer greets as the acknowledgement did: company, then name.
  m.values = {{"customer_name", ticket.customer_name()}};
  if (const rules::Tenant* tenant = ctx.tenant(ticket.tenant)) m.values["company"] = tenant->company;
  m.references = ticket_message_ids(ctx.store, ticket.id, ctx.settings.staff);
  if (!m.references.empty()) m.in_reply_to = m.references.back();
  return m;
}

}  // namespace madoguchi::daemon
