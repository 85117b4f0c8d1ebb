// staff_notice.h — what a staff notice says about a customer's mail, so that staff can answer
// from the notice alone: the new text (quoted history and signature cut, with a line saying
// so), the decision, identity and status in Japanese words, and the customer's attachments —
// attached up to Settings::staff_attachment_limit in all, listed beyond it with the command
// that extracts them. Attachments are numbered over the ticket's messages in order, as
// `ticket show` and `ticket attachment MG-… N` number them.
#pragma once

#include "daemon/service/context.h"
#include "daemon/store/states.h"
#include "parsers/parsed_mail.h"
#include "rules/policy.h"
#include "templates/message.h"
#include "templates/renderer.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::daemon {

// Japanese words for staff (not for customers): "対応中", "サポート対象外", "登録済みの管理者", …
std::string status_words(TicketStatus status);
std::string outcome_words(std::string_view outcome);    // a ProcessedMail::outcome value
std::string identity_words(std::string_view identity);  // a ProcessedMail::identity value

// "812 バイト", "12 KB", "3.4 MB".
std::string size_words(std::size_t bytes);

struct NoticeContent {
  templates::Values values;  // customer_text, text_note, attachment_list
  std::vector<templates::OutgoingAttachment> attachments;
};

// The customer's mail as a notice shows it. `first_number` is the ticket-wide number of the
// mail's first attachment (attachments_before + 1).
// Pure; attachments are put on up to `attachment_limit` bytes in all.
NoticeContent customer_mail_content(const parsers::ParsedMail& mail, std::string_view ticket_number, int first_number,
                                    std::size_t attachment_limit);

// The first message's text for a digest entry: cut as in a notice, at most `max_bytes`, each
// line indented by four spaces; a line on attachments and on what was cut at the end.
std::string digest_excerpt(Context& ctx, const TicketRow& ticket, std::size_t max_bytes);

// Attachments of the ticket's messages already on it (read from the spool), for numbering.
int attachments_before(Context& ctx, std::int64_t ticket_id);

}  // namespace madoguchi::daemon
