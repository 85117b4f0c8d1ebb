// pipeline_detail.h — what pipeline.cpp and ticket_work.cpp share inside the daemon: the
// outgoing-mail request of Pipeline::queue_mail, Japan's offset, the subject shown in our mail.
#pragma once
#include "daemon/pipeline.h"
#include "templates/message.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::daemon {

struct Pipeline::Outgoing {
  const rules::Desk* desk = nullptr;
  const TicketRow* ticket = nullptr;
  std::string template_name;
  templates::Values values;
  std::string to_address;
  std::string to_name;
  std::string kind;            // acknowledgement | refusal | staff_reply | closing_notice | …
  std::string auto_submitted;  // "auto-replied" | "auto-generated" | "" (a person's reply)
  std::string in_reply_to;
  std::vector<std::string> references;
  std::optional<std::int64_t> cause;
};

namespace detail {

inline constexpr std::chrono::hours kJapan{9};

// The customer's subject as shown inside ours: without our tags and reply prefixes, short.
std::string display_subject(std::string_view subject);

}  // namespace detail
}  // namespace madoguchi::daemon
