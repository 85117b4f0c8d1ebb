// parsed_mail.h — the value every stage after intake reads: a mail's decoded headers,
// addresses, threading ids, body text, attachments and the warnings met while parsing.
//
// All strings are UTF-8. parse_mail() never throws and never fails: broken input yields a
// best-effort ParsedMail plus warnings (GMime's way), so a malformed mail can still become a
// ticket flagged for staff.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::parsers {

struct Address {
  std::string name;     // decoded display name, may be empty
  std::string address;  // addr-spec as written (local@domain), angle brackets removed
};

// One header field in message order. `value` is unfolded and RFC 2047-decoded to UTF-8.
struct Header {
  std::string name;   // as written, e.g. "Subject"
  std::string value;  // decoded
};

enum class WarningCode {
  truncated_message,     // larger than ParseOptions::max_message_bytes
  too_many_parts,        // more parts than ParseOptions::max_parts
  too_deep,              // nesting deeper than ParseOptions::max_depth
  bad_header,            // a header line without a colon, or 8-bit bytes in a header
  bad_encoded_word,      // RFC 2047 word that could not be decoded (left as written)
  bad_transfer_encoding, // base64/QP with invalid bytes or padding
  unknown_charset,       // charset label iconv does not know (sniffed instead)
  charset_mismatch,      // bytes did not match the label (sniffed another charset)
  invalid_bytes,         // bytes replaced with U+FFFD
  missing_boundary,      // multipart without boundary or without closing delimiter
  no_text_body,          // no text/plain or text/html part found
  internal_error,        // a parser bug or out of memory: the result is partial (added, issue 3)
};

struct Warning {
  WarningCode code;
  bool critical = false;  // true: the result is known to be incomplete or wrong
  std::string detail;     // English, no mail content beyond a short token
};

// A node of the MIME tree (the top-level message is the root).
struct Part {
  std::string content_type;  // lower-case type/subtype, e.g. "text/plain"
  std::string charset;       // lower-case label as written, "" when absent
  std::string transfer_encoding;  // lower-case, "" when absent
  std::string disposition;   // "inline", "attachment" or ""
  std::string filename;      // decoded (RFC 2231 / RFC 2047), "" when absent
  std::size_t size = 0;      // decoded body size in bytes (leaf parts)
  std::vector<Part> children;
};

struct Attachment {
  std::string filename;      // decoded; never used as a path
  std::string content_type;  // lower-case type/subtype
  std::size_t size = 0;      // decoded size in bytes
  std::string content;       // decoded bytes
};

struct ParsedMail {
  std::vector<Header> headers;  // top-level header fields, in order

  std::string subject;
  std::vector<Address> from;
  std::vector<Address> to;
  std::vector<Address> cc;
  std::vector<Address> reply_to;
  std::vector<Address> delivered_to;  // every Delivered-To / X-Original-To
  std::optional<std::string> return_path;  // present: address inside <>, "" for "<>"
  std::string date;  // as written
  std::optional<std::chrono::sys_seconds> date_utc;  // parsed RFC 5322 Date, if valid
  std::string message_id;   // without angle brackets
  std::string in_reply_to;  // first msg-id, without angle brackets
  std::vector<std::string> references;  // msg-ids in order, without angle brackets
  std::string auto_submitted;  // lower-case value, "" when absent
  std::string precedence;      // lower-case value, "" when absent
  std::string list_id;
  std::vector<std::string> authentication_results;  // each field's value, in order

  std::string text;  // decoded body text (text/plain preferred, else text of text/html)
  Part root;
  std::vector<Attachment> attachments;

  // multipart/report; report-type=delivery-status: the Original-Message-ID /
  // Message-ID of the returned mail (without brackets), "" when not found.
  bool is_delivery_status = false;
  std::string dsn_original_message_id;

  std::vector<Warning> warnings;

  // First header with this name (ASCII case-insensitive), or nullptr.
  const Header* header(std::string_view name) const;
};

struct ParseOptions {
  std::size_t max_message_bytes = 64u * 1024 * 1024;  // bytes beyond are ignored (warning)
  std::size_t max_parts = 1000;
  std::size_t max_depth = 20;
  bool keep_attachment_content = true;
};

// Parses raw RFC 5322 bytes. Never throws; never fails.
ParsedMail parse_mail(std::string_view raw, const ParseOptions& options = {});

// Stable lower_snake name of a warning code (for logs and `madoguchi parse`).
std::string_view warning_name(WarningCode code);

}  // namespace madoguchi::parsers
