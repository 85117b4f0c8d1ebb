// transfer_encoding.h — Content-Transfer-Encoding decoders (base64, quoted-printable).
//
// Ours rather than mimetic's: Debian's mimetic base64 decoder reads out of bounds on
// untrusted input, and real mail has broken padding, odd line lengths and bad QP escapes that
// must decode to a best effort instead of failing. Never throws.
#pragma once

#include <string>
#include <string_view>

namespace madoguchi::parsers {

// Decodes base64, skipping whitespace and junk, tolerating missing or premature padding
// (concatenated padded chunks decode as a whole). Sets *damaged when junk or a lone trailing
// sextet was met.
std::string decode_base64(std::string_view in, bool* damaged = nullptr);

// Decodes quoted-printable: soft line breaks (also "=" followed by trailing blanks), =XX in any
// case; a bad escape is kept literally and sets *damaged. Trailing blanks of lines are removed.
// `header_q`: RFC 2047 Q encoding ('_' is a space, no soft breaks).
std::string decode_quoted_printable(std::string_view in, bool* damaged = nullptr,
                                    bool header_q = false);

// Decodes `body` for a lower-case Content-Transfer-Encoding ("" / 7bit / 8bit / binary are
// identity; an unknown encoding is returned unchanged and sets *damaged).
std::string decode_transfer(std::string_view body, std::string_view encoding,
                            bool* damaged = nullptr);

}  // namespace madoguchi::parsers
