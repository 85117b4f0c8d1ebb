// sample_mail.cpp — see sample_mail.h.
#include "templates/sample_mail.h"

#include "templates/variables.h"

namespace madoguchi::templates {

std::map<std::string, std::string> render_samples(const TemplateSet& set) {
  std::map<std::string, std::string> out;
  const Values values = sample_values();
  for (const auto& name : set.names()) {
    const RenderedMail r = set.render(name, values);
    out[name + ".txt"] = r.ok ? "Subject: " + r.subject + "\n\n" + r.body : "ERROR: " + r.error + "\n";
  }
  if (set.has("ack_received")) {
    const RenderedMail r = set.render("ack_received", values);
    OutgoingMessage m;
    m.from_name = values.at("desk_name");
    m.from_address = values.at("desk_address");
    m.to_name = values.at("customer_name");
    m.to_address = values.at("requester");
    m.reply_to = m.from_address;
    m.subject = r.subject;
    m.body = r.body;
    m.message_id = "mg.MG-000123.0123456789abcdef@passlogic.example.jp";
    m.in_reply_to = "20261121221500.A1B2@sample-shoji.example.co.jp";
    m.references = {m.in_reply_to};
    m.auto_submitted = "auto-replied";
    m.date = std::chrono::sys_seconds{std::chrono::seconds{1795266900}};  // 2026-11-21 22:15 JST
    m.extra_headers.push_back({"X-Madoguchi-Ticket", values.at("ticket_number")});
    out["ack_received.utf-8.eml"] = compose_message(m);
    m.encoding = BodyEncoding::iso2022jp;
    out["ack_received.iso-2022-jp.eml"] = compose_message(m);
  }
  return out;
}

}  // namespace madoguchi::templates
