// encoded_words.h — RFC 2047 encoded-words and raw 8-bit header text to UTF-8.
//
// Japanese mailers split one subject into many encoded-words, sometimes in the middle of a
// multi-byte character or an ISO-2022-JP escape sequence, so adjacent words of the same
// charset are joined as bytes before conversion. A word that cannot be decoded is left as
// written (still readable); raw 8-bit or JIS-escaped header text is sniffed. Never throws.
#pragma once

#include <string>
#include <string_view>

namespace madoguchi::parsers {

struct EncodedWordsResult {
  std::string text;             // UTF-8
  bool bad_word = false;        // some =?...?= could not be decoded and was left as written
  bool invalid_bytes = false;   // bytes replaced with U+FFFD
  bool raw_8bit = false;        // unencoded 8-bit bytes were present (sniffed)
  bool unknown_charset = false; // a word named a charset nobody knows (sniffed)
};

// Decodes every encoded-word in an unfolded header value; whitespace between adjacent
// encoded-words is dropped (RFC 2047 §6.2). Text outside words is decoded from `raw_charset`
// (usually "", meaning sniff).
EncodedWordsResult decode_encoded_words(std::string_view value, std::string_view raw_charset = "");

// Convenience: decode_encoded_words(value).text
std::string decode_header_text(std::string_view value);

}  // namespace madoguchi::parsers
