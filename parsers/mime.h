// mime.h — the MIME structure of a mail and the structured header values inside it.
//
// The structure (entities, their header fields, multipart children, encapsulated messages,
// leaf bodies; preamble and epilogue dropped) comes from mimetic's parser, run by
// mime_structure.cpp (the only file that includes mimetic) behind our own bounds: a linear
// pre-scan caps how many entities mimetic can create and how deep it can recurse before it
// sees a byte, it is shown at most 4 KiB of any header field (its buffers grow quadratically;
// we complete the value from the raw bytes), and every multipart is split at the boundary our
// parse_structured() reads from the raw Content-Type value. Everything that gives the bytes a
// meaning stays ours and is applied by mail_parser.cpp: RFC 2047 words, RFC 2231 parameters
// (parse_structured below), transfer encodings, charsets. mimetic's codecs and parameter
// values are never used (README.md says why).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace madoguchi::parsers {

// One raw header field as mimetic's header parser split it: name as written, value with the
// folding line breaks replaced by one space, not decoded.
struct RawField {
  std::string name;
  std::string value;
};

// One MIME entity (the mail itself, a part, or an encapsulated message).
struct Entity {
  enum class Kind {
    leaf,       // a body without MIME structure
    multipart,  // parts split at a boundary
    message,    // mimetic parsed the body as an encapsulated message (children[0])
  };
  Kind kind = Kind::leaf;
  std::vector<RawField> fields;  // in order, raw values
  bool bad_header = false;  // the header ended at a line that is not a field (no blank line)
  // leaf: the body as written (still transfer-encoded); message: the encapsulated message
  // as written; multipart with `no_boundary`: the whole body, to be read as text.
  std::string body;
  std::size_t raw_size = 0;   // bytes of the body as written (also when `body` is empty)
  bool no_boundary = false;   // multipart whose boundary parameter is missing or empty
  bool closed = false;        // multipart: its close delimiter "--boundary--" was seen
  bool open_at_end = false;   // multipart: still open where the input (or the cut) ended
  std::vector<Entity> children;  // parts, or the one encapsulated message
};

struct MimeTree {
  Entity root;
  bool cut = false;           // the input was cut (max_entities, or mimetic's nesting cap)
  std::size_t entities = 0;   // entities mimetic created (<= max_entities)
  bool out_of_step = false;   // our position bookkeeping disagreed with mimetic (a bug)
};

// Parses the structure of `bytes` (a leading UTF-8 BOM and mbox "From " line are skipped).
// At most `max_entities` (>= 1) entities are created: the input is cut just before the line
// that could create one more (`cut`). Children are returned down to `max_depth` levels below
// the root (deeper ones are created and counted, not returned). Throws only std::bad_alloc.
MimeTree parse_mime(std::string_view bytes, std::size_t max_entities, std::size_t max_depth);

// The header fields at the start of `bytes` (a headers-only body such as
// text/rfc822-headers), read by mimetic's header parser alone.
std::vector<RawField> parse_header_fields(std::string_view bytes);

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

// First field with this name (ASCII case-insensitive), or nullptr.
const RawField* find_field(const std::vector<RawField>& fields, std::string_view name);

// Lower-case ASCII copy.
std::string ascii_lower(std::string_view s);
// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);
// Removes leading and trailing whitespace.
std::string_view trim_view(std::string_view s);

}  // namespace madoguchi::parsers
