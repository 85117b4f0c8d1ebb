// outbox_rows.cpp — see outbox_rows.h.
#include "daemon/cli/outbox_rows.h"

#include "daemon/cli/terminal_text.h"
#include "daemon/log/log.h"
#include "rules/calendar.h"

#include <cstdio>

namespace madoguchi::daemon {
namespace {
std::string when(std::chrono::sys_seconds t) { return rules::format_iso8601(t, rules::kJapanOffset); }

bool address_edge(char c) { return c == ' ' || c == '<' || c == '>' || c == ':' || c == '"' || c == '(' || c == ')'; }

// `reply` with each address in it masked as mask_address does: servers echo the recipient
// ("550 5.1.1 <taro@example.co.jp>: user unknown").
std::string mask_addresses(std::string_view reply) {
  std::string out;
  std::size_t done = 0;
  for (std::size_t at = reply.find('@'); at != std::string_view::npos; at = reply.find('@', at + 1)) {
    std::size_t begin = at;
    while (begin > done && !address_edge(reply[begin - 1])) --begin;
    std::size_t end = at + 1;
    while (end < reply.size() && !address_edge(reply[end])) ++end;
    out.append(reply.substr(done, begin - done));
    out += mask_address(reply.substr(begin, end - begin));
    done = end;
    at = end > at ? end - 1 : at;
  }
  out.append(reply.substr(done));
  return out;
}
}  // namespace

nlohmann::json outbox_row_json(const OutboxListing& row) {
  const bool pending = row.state == OutboxState::pending;
  return {{"id", row.id},
          {"state", to_string(row.state)},
          {"kind", row.kind},
          {"recipient", mask_address(row.recipient)},
          {"attempts", row.attempts},
          {"created_at", when(row.created_at)},
          {"next_attempt_at", pending ? nlohmann::json(when(row.next_attempt_at)) : nlohmann::json(nullptr)},
          {"last_error", mask_addresses(row.last_reply)}};
}

std::string outbox_table_header() {
  return "id      state    kind              tries  queued                     recipient / last reply";
}

std::string outbox_table_line(const OutboxListing& row) {
  char head[128];
  std::snprintf(head, sizeof head, "%-7lld %-8s %-17s %-6d %-26s ", static_cast<long long>(row.id),
                std::string(to_string(row.state)).c_str(), printable(row.kind).c_str(), row.attempts,
                when(row.created_at).c_str());
  std::string line = head + printable(mask_address(row.recipient));
  if (!row.last_reply.empty()) line += "  last: " + printable(mask_addresses(row.last_reply));
  return line;
}

}  // namespace madoguchi::daemon
