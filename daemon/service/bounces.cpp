// bounces.cpp — see bounces.h.
#include "daemon/service/bounces.h"

#include "daemon/log/log.h"
#include "daemon/store/outbox.h"
#include "parsers/mime.h"

#include <optional>

namespace madoguchi::daemon {

DsnSummary summarize_dsn(std::string_view raw) {
  DsnSummary s;
  bool failed = false, delayed = false;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    auto eol = raw.find('\n', pos);
    if (eol == std::string_view::npos) eol = raw.size();
    std::string line = parsers::ascii_lower(raw.substr(pos, eol - pos));
    pos = eol + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    auto value = [&](std::string_view field) -> std::optional<std::string> {
      if (line.rfind(field, 0) != 0) return std::nullopt;
      std::string v = line.substr(field.size());
      v.erase(0, v.find_first_not_of(" \t"));
      return v;
    };
    if (auto v = value("action:")) {
      if (v->rfind("failed", 0) == 0) failed = true;
      if (v->rfind("delayed", 0) == 0) delayed = true;
    } else if (auto st = value("status:")) {
      if (s.status.empty()) s.status = st->substr(0, st->find_first_of(" (;"));
      if (st->rfind("5.", 0) == 0) failed = true;
    }
  }
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
