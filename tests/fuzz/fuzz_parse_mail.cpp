// fuzz_parse_mail.cpp — libFuzzer target: parse_mail() on arbitrary bytes must neither crash,
// nor read out of bounds, nor throw, and must return valid UTF-8 in every decoded string.
// mimetic's parser is compiled into the parsers library, so it is fuzzed with it; the
// pre-scan's promise (mimetic creates at most max_entities entities) is checked directly.
#include "parsers/charset.h"
#include "parsers/encoded_words.h"
#include "parsers/mime.h"
#include "parsers/parsed_mail.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void require_utf8(std::string_view s) {
  if (!madoguchi::parsers::is_valid_utf8(s)) std::abort();
}

void check_part(const madoguchi::parsers::Part& p, int depth) {
  if (depth > 64) std::abort();  // max_depth must hold
  require_utf8(p.filename);
  for (const auto& c : p.children) check_part(c, depth + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  madoguchi::parsers::ParseOptions options;
  options.max_message_bytes = 1 << 20;
  options.max_parts = 200;
  options.max_depth = 20;
  auto m = madoguchi::parsers::parse_mail(raw, options);
  require_utf8(m.subject);
  require_utf8(m.text);
  for (const auto& a : m.from) require_utf8(a.name);
  for (const auto& h : m.headers) require_utf8(h.value);
  for (const auto& a : m.attachments) require_utf8(a.filename);
  check_part(m.root, 0);
  for (const auto& w : m.warnings)
    if (w.code == madoguchi::parsers::WarningCode::internal_error) std::abort();
  // The bound parse_mail relies on, with a small limit so that it is hit often.
  auto tree = madoguchi::parsers::parse_mime(raw, 7, 5);
  if (tree.entities > 7 || tree.out_of_step) std::abort();
  // The standalone decoders on the same bytes.
  require_utf8(madoguchi::parsers::decode_header_text(raw.substr(0, 4096)));
  require_utf8(madoguchi::parsers::to_utf8(raw.substr(0, 4096), "iso-2022-jp"));
  require_utf8(madoguchi::parsers::to_utf8(raw.substr(0, 4096), ""));
  return 0;
}
