// mime.h — the MIME tokenizer: header fields, structured parameters, multipart bodies.
//
// Our own splitter over string_views instead of mimetic (see README.md): it copies nothing,
// enforces the size/part/depth limits before any allocation grows with the input, joins
// RFC 2231 parameters, and can be compiled with the fuzzer's instrumentation.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace madoguchi::parsers {

// One raw header field: name as written, value unfolded (CR/LF removed, folding kept as the
// whitespace that followed), not decoded.
struct RawField {
  std::string_view name;
  std::string value;
};

struct HeaderBlock {
  std::vector<RawField> fields;
  std::string_view body;       // everything after the blank line
  bool bad_lines = false;      // lines without a colon, or 8-bit bytes in a name
  bool missing_separator = false;  // the header ended at a non-header line, not a blank line
};

// Splits an entity into header fields and body. A leading mbox "From " line is skipped.
HeaderBlock split_header(std::string_view entity);

// A structured value such as Content-Type: "text/plain; charset=utf-8; name*0*=...".
struct StructuredValue {
  std::string value;  // lower-case token before the first ';' ("text/plain", "attachment")
  std::vector<std::pair<std::string, std::string>> params;  // lower-case name, decoded UTF-8
  bool bad_encoding = false;  // a parameter had an undecodable encoded-word or charset

  // Parameter value or "" (names are compared lower-case).
  const std::string* param(std::string_view name) const;
};

// Parses a structured header value with RFC 2045 parameters, RFC 2231 continuations and
// charset'lang'%XX values, RFC 2047 words in quoted values (common in file names), and raw
// 8-bit values (sniffed).
StructuredValue parse_structured(std::string_view value);

struct MultipartSplit {
  std::vector<std::string_view> parts;
  bool closed = false;  // the closing delimiter "--boundary--" was found
  bool truncated = false;  // stopped at max_parts
};

// Splits a multipart body at lines "--boundary" (trailing blanks allowed). Stops after
// `max_parts` parts.
MultipartSplit split_multipart(std::string_view body, std::string_view boundary,
                               std::size_t max_parts);

// Lower-case ASCII copy.
std::string ascii_lower(std::string_view s);
// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);
// Removes leading and trailing whitespace.
std::string_view trim_view(std::string_view s);

}  // namespace madoguchi::parsers
