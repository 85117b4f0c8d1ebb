// text_normalize.h — the one text form every rule matches against: Unicode NFKC plus case
// folding, so that ＶＰＮ = vpn, ｶﾀｶﾅ = カタカナ and ＡＢ－１２３ = ab-123.
//
// Why one function: keywords are normalised with the same function at load time, so a rule
// written in any width or case matches mail written in any other. NFKC leaves 〜 (U+301C
// WAVE DASH) apart from ～ (U+FF5E, which becomes "~"); Japanese mail uses both for the same
// thing, so both fold to "~" (LIBRARY-FACTS.md).
#pragma once

#include <string>
#include <string_view>

namespace madoguchi::rules {

// NFKC + case folding of UTF-8 `text`; invalid UTF-8 bytes become U+FFFD first. Never throws
// on bad input; line breaks are kept.
std::string normalize_text(std::string_view text);

// normalize_text(), then every dash-like code point (U+2010-U+2015, U+2212, U+30FC, U+FF70)
// becomes "-": for contract ids, which customers type with whatever dash the IME gives.
std::string normalize_identifier_text(std::string_view text);

// The body text rules look at: lines quoted with ">" (earlier mails of the thread, our own
// acknowledgements) are dropped and the result is capped at `max_bytes` on a UTF-8 boundary.
std::string strip_quoted_lines(std::string_view body, std::size_t max_bytes = 256 * 1024);

// ASCII lower case with leading/trailing ASCII white space removed: for header values,
// names and addresses, which are compared without Unicode folding.
std::string ascii_lower_trim(std::string_view text);

// True when `text` holds at least one hiragana, katakana or CJK ideograph.
bool has_japanese(std::string_view text);

}  // namespace madoguchi::rules
