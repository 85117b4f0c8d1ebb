// reply_text.h — the writer's own words of a reply: quoted history and the signature cut off
// as Japanese mail clients write them (Gmail, Apple Mail, Outlook, Thunderbird, hand-typed
// ＞ quotes), and subjects without their reply/forward prefixes. Pure; linear in the input,
// whatever its size or line lengths. What is and is not recognised: README.md.
#pragma once

#include <string>
#include <string_view>

namespace madoguchi::parsers {

struct ReplyCutOptions {
  // Inline answers (quote, answer, quote, answer) always survive. By default every quoted line
  // is dropped and each removed quoted block between two kept lines leaves one blank line;
  // with this set, the quoted lines above an answer are kept as they were (only quoted lines
  // after the last answer, and attribution lines, are dropped), so the answers keep their context.
  bool keep_inline_quotes = false;
  // Cut the signature: a "-- " line, a rule followed by a short contact block, "iPhoneから送信".
  bool cut_signature = true;
};

struct ReplyCut {
  std::string text{};          // kept lines, each ending in '\n' (CRLF becomes LF); "" when none
  bool quote_cut = false;      // quoted lines, an attribution or quoted history were removed
  bool signature_cut = false;  // a signature was removed
};

// `text`: a mail's decoded text (UTF-8, LF or CRLF line ends). Leading and trailing blank
// lines are dropped. Never fails: text it cannot read as a reply comes back unchanged.
ReplyCut cut_reply(std::string_view text, ReplyCutOptions options = {});

// `subject` without leading reply/forward prefixes, as often as they repeat ("Re:", "RE:",
// "Ｒｅ：", "Re[2]:", "Re^2:", "Fwd:", "FW:", "AW:", "WG:", "SV:", "VS:", "返信:", "転送:",
// "回复:", "答复:"; half- or full-width colons, spaces and U+3000 around them) and without
// leading white space. A word that only starts with those letters ("Review: …") is kept.
std::string strip_subject_prefixes(std::string_view subject);

}  // namespace madoguchi::parsers
