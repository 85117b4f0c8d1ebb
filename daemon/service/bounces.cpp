// bounces.cpp — see bounces.h.
#include "daemon/service/bounces.h"

#include "daemon/log/log.h"
#include "daemon/store/outbox.h"
#include "parsers/mime.h"
#include "parsers/transfer_encoding.h"

#include <optional>

namespace madoguchi::daemon {

namespace {

// The machine-readable part of a report (message/delivery-status, RFC 3464, or RFC 6533's
// message/global-delivery-status, which may be transfer-encoded), decoded; nullopt when the
// mail is not a multipart with one (the text is then read as the fields themselves). Only
// this part counts: the notification's prose and the returned message may hold lines that
// look like fields ("Status: 5.0.0" in a customer's text).
std::optional<std::string> delivery_status_part(std::string_view raw) {
  const parsers::MimeTree tree = parsers::parse_mime(raw, 1000, 2);
  if (tree.root.kind != parsers::Entity::Kind::multipart) return std::nullopt;
  for (const parsers::Entity& part : tree.root.children) {
    const parsers::RawField* ct = parsers::find_field(part.fields, "Content-Type");
    if (!ct) continue;
    const std::string type = parsers::parse_structured(ct->value).value;
    if (type != "message/delivery-status" && type != "message/global-delivery-status") continue;
    const parsers::RawField* cte = parsers::find_field(part.fields, "Content-Transfer-Encoding");
    return parsers::decode_transfer(part.body, cte ? parsers::ascii_lower(parsers::trim_view(cte->value)) : "");
  }
  return std::nullopt;
}

}  // namespace

DsnSummary summarize_dsn(std::string_view raw_dsn) {
  const std::optional<std::string> part = delivery_status_part(raw_dsn);
  const std::string_view raw = part ? std::string_view(*part) : raw_dsn;
  DsnSummary s;
  bool failed = false, delayed = false;
  // One block of fields per recipient (after the per-message block), blank-line separated:
  // the status reported is the first failed recipient's, else the first one.
  bool block_failed = false;
  std::string block_status, first_status, failed_status;
  auto end_block = [&] {
    if (block_failed && failed_status.empty()) failed_status = block_status;
    block_failed = false;
    block_status.clear();
  };
  std::size_t pos = 0;
  while (pos < raw.size()) {
    auto eol = raw.find('\n', pos);
    if (eol == std::string_view::npos) eol = raw.size();
    std::string line = parsers::ascii_lower(raw.substr(pos, eol - pos));
    pos = eol + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) {
      end_block();
      continue;
    }
    auto value = [&](std::string_view field) -> std::optional<std::string> {
      if (line.rfind(field, 0) != 0) return std::nullopt;
      std::string v = line.substr(field.size());
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    };
    if (auto v = value("action:")) {
      if (v->rfind("failed", 0) == 0) failed = block_failed = true;
      if (v->rfind("delayed", 0) == 0) delayed = true;
    } else if (auto st = value("status:")) {
      const std::string code = st->substr(0, st->find_first_of(" (;"));
      if (block_status.empty()) block_status = code;
      if (first_status.empty()) first_status = code;
      if (st->rfind("5.", 0) == 0) failed = block_failed = true;
    }
  }
  end_block();
  s.status = failed_status.empty() ? first_status : failed_status;
  s.hard = failed;
  s.delayed = delayed && !failed;
  return s;
}

bool mark_bounced(Transaction& tx, std::string_view message_id, const DsnSummary& dsn,
                  std::chrono::sys_seconds now) {
  const auto recipient = outbox_recipient(tx.store(), message_id);
  if (!recipient) return false;
  // A delay notice (still being tried) or a success notice (delivered, relayed, expanded):
  // nothing to mark.
  if (!dsn.hard) return true;
  mark_outbox_bounced(tx, message_id, "bounced: DSN " + (dsn.status.empty() ? std::string("without status") : dsn.status));
  record_hard_bounce(tx, *recipient, message_id, dsn.status, now);
  log_event(spdlog::level::warn, Event::outbox_bounced,
            {{"to", mask_address(*recipient)}, {"status", dsn.status.empty() ? "-" : dsn.status},
             {"hard", dsn.hard ? "true" : "false"}});
  return true;
}

}  // namespace madoguchi::daemon
