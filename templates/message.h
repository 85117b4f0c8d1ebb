// message.h — composes an outgoing RFC 5322 message from rendered Japanese text.
//
// Pure: the Date is a parameter. Bodies are UTF-8 in base64 (libcurl never sends
// BODY=8BITMIME, LIBRARY-FACTS.md); subjects and names are RFC 2047 B-encoded without
// splitting a UTF-8 character across words; CR/LF in any value is folded to a space so
// customer-supplied text (a subject, a display name) can never create a header.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::templates {

struct OutgoingMessage {
  std::string from_name;     // display name, UTF-8
  std::string from_address;
  std::string to_name;
  std::string to_address;
  std::string reply_to;      // address, "" for none
  std::string subject;       // UTF-8
  std::string body;          // UTF-8 text, LF or CRLF line ends
  std::string message_id;    // without brackets
  std::string in_reply_to;   // without brackets, "" for none
  std::vector<std::string> references;  // without brackets
  std::string auto_submitted;  // "", "auto-replied" or "auto-generated"
  std::chrono::sys_seconds date{};
  std::vector<std::pair<std::string, std::string>> extra_headers;  // e.g. X-Madoguchi-Ticket
};

// The raw message, CRLF line ends, 7-bit clean.
std::string compose_message(const OutgoingMessage& message);

// RFC 2047 B-encoding of a UTF-8 header value, folded into words of at most 75 characters
// that never split a character; plain ASCII without specials is returned as is.
std::string encode_header_text(std::string_view utf8);

// Replaces CR, LF and other C0 controls by spaces (header-injection guard).
std::string sanitize_header_value(std::string_view value);

// RFC 5322 date in Japan time: "Sun, 22 Nov 2026 21:00:00 +0900".
std::string rfc5322_date(std::chrono::sys_seconds t);

// A template file is "Subject: ...", a blank line, then the body; both parts are mustache.
struct MailTemplateText {
  std::string subject;
  std::string body;
};
// Splits a template file; error message when it has no "Subject:" first line.
bool split_mail_template(std::string_view text, MailTemplateText& out, std::string& error);

}  // namespace madoguchi::templates
