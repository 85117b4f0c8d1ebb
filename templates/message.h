// message.h — composes an outgoing RFC 5322 message from rendered Japanese text.
//
// Pure: the Date is a parameter. The result is 7-bit clean, because libcurl never sends
// BODY=8BITMIME (LIBRARY-FACTS.md): bodies are UTF-8 in base64 (default) or quoted-printable,
// or ISO-2022-JP in 7bit for customers whose mail systems need it. Subjects and names are
// RFC 2047 B-encoded without splitting a character across words; CR/LF in any value is folded
// to a space so customer-supplied text (a subject, a display name) can never create a header.
//
// ISO-2022-JP: glibc's encoder knows only JIS X 0208, so the Windows forms of a few characters
// are mapped to the JIS ones first (～ U+FF5E -> 〜 U+301C, ∥ -> ‖, － -> −, ￠￡￬ -> ¢£¬,
// — U+2014 -> ― U+2015; a Japanese reader decodes them back to the Windows forms). A mail
// with anything else outside JIS X 0208 (①, ㈱, 髙, half-width kana, emoji) or a line longer
// than 998 bytes is sent in UTF-8 instead: never a '?' in a customer's mail.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::templates {

enum class BodyEncoding {
  utf8_base64,            // default
  utf8_quoted_printable,  // readable in the raw source, still 7-bit
  iso2022jp,              // 7bit ISO-2022-JP (RFC 1468), subject in ISO-2022-JP B words
};

// A file sent with a message (staff notices carry the customer's attachments).
struct OutgoingAttachment {
  std::string filename{};      // UTF-8, sanitised when written (mime_parts.h)
  std::string content_type{};  // "type/subtype"; anything else is sent as application/octet-stream
  std::string content{};       // the bytes
};

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
  BodyEncoding encoding = BodyEncoding::utf8_base64;  // preference (per tenant or desk)
  // None: a single text/plain body. Any: multipart/mixed, the text first, then each file.
  std::vector<OutgoingAttachment> attachments{};
};

// The raw message, CRLF line ends, 7-bit clean. `used` (optional) receives the encoding
// actually used: utf8_base64 when iso2022jp was asked for but the text cannot be written in it.
std::string compose_message(const OutgoingMessage& message, BodyEncoding* used = nullptr);

// "utf-8" / "utf-8-qp" / "iso-2022-jp" (configuration spelling) -> encoding; false if unknown.
bool parse_body_encoding(std::string_view name, BodyEncoding& out);

// UTF-8 -> ISO-2022-JP bytes (ends in ASCII), with the mappings above; nullopt when a character
// has no JIS X 0208 / ASCII form.
std::optional<std::string> to_iso2022jp(std::string_view utf8);

// RFC 2047 B-encoding in ISO-2022-JP, each word a whole number of characters that starts and
// ends in ASCII; nullopt when to_iso2022jp fails. Plain ASCII is returned as is.
std::optional<std::string> encode_header_text_iso2022jp(std::string_view utf8);

// Quoted-printable (RFC 2045) of CRLF text, lines of at most 76 characters.
std::string quoted_printable(std::string_view text);

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
