// mime_parts.h — the pieces of an outgoing MIME message that message.cpp puts together:
// base64, and attachment parts (multipart/mixed) whose names come from customers' mail.
//
// An attachment's file name and content type are someone else's text: the name is cut to
// kMaxFilenameBytes, stripped of controls, quotes, backslashes and path separators, and
// written as RFC 2231 `filename*` (UTF-8, percent-encoded) beside an RFC 2047 `name=` for
// clients that read only that (Outlook, older Japanese clients); a content type that is not a
// plain `type/subtype` token becomes application/octet-stream.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::templates {

struct OutgoingAttachment;

namespace mime {

constexpr std::size_t kMaxFilenameBytes = 120;

std::string base64(std::string_view in);
// base64 in lines of 76 characters, each ended by CRLF.
std::string base64_lines(std::string_view in);

// The name as it may appear in a header parameter (see above); "attachment" when nothing is left.
std::string safe_filename(std::string_view name);
// `type/subtype` in lower case when it is one, else "application/octet-stream".
std::string safe_content_type(std::string_view type);

// A boundary that occurs in none of `texts` (attachment parts are base64, which cannot hold
// one: it contains '_' and starts with "=_").
std::string boundary(std::string_view seed, const std::vector<std::string_view>& texts);

// One body part: its header fields, a blank line, its base64 content (CRLF ends).
std::string attachment_part(const OutgoingAttachment& attachment);

}  // namespace mime
}  // namespace madoguchi::templates
