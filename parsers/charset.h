// charset.h — bytes in a named (or unnamed, or wrongly named) charset to UTF-8.
//
// Why our own layer: glibc iconv rejects ① ㈱ Ⅲ in every ISO-2022-JP variant and maps JIS
// 0x2141 to WAVE DASH, while Japanese clients write the Microsoft supersets (CP50220/CP50221,
// Windows-31J). So ISO-2022-JP escapes are decoded here and converted through CP932, every
// Shift_JIS label is read as CP932, EUC-JP as EUC-JP-MS, and a missing, unknown or wrong label
// is sniffed (JIS escapes, then valid UTF-8, then CP932, then EUC-JP, then the closest fit,
// windows-1252 when nothing Japanese fits). Never throws; invalid bytes become U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace madoguchi::parsers {

struct CharsetResult {
  std::string text;          // UTF-8
  std::string used;          // charset actually used, lower-case (e.g. "cp932", "iso-2022-jp")
  bool unknown_label = false;    // the label was not a charset we or iconv know
  bool label_mismatch = false;   // the bytes did not fit the label; `used` was sniffed
  bool invalid_bytes = false;    // some bytes were replaced with U+FFFD
};

// Decodes `bytes` labelled `label` ("" when absent) to UTF-8. Sniffs when the label is absent,
// unknown or contradicted by the bytes.
CharsetResult decode_charset(std::string_view bytes, std::string_view label);

// Convenience: decode_charset(bytes, label).text
std::string to_utf8(std::string_view bytes, std::string_view label);

// The charset the bytes look like: "us-ascii", "iso-2022-jp", "utf-8", "cp932", "euc-jp" or
// "windows-1252".
std::string_view sniff_charset(std::string_view bytes);

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid_utf8(std::string_view s);

// Copies `s`, replacing ill-formed UTF-8 sequences with U+FFFD. Sets *replaced when any was.
std::string sanitize_utf8(std::string_view s, bool* replaced = nullptr);

// Decodes ISO-2022-JP (and the -1/-2/-3 and CP5022x variants, SO/SI kana) to UTF-8 with the
// Microsoft extensions. Sets *invalid when bytes had to be replaced.
std::string decode_iso2022jp(std::string_view bytes, bool* invalid = nullptr);

// Appends the UTF-8 encoding of code point `cp` (U+FFFD for invalid values).
void append_utf8(std::string& out, char32_t cp);

}  // namespace madoguchi::parsers
