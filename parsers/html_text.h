// html_text.h — readable plain text from an HTML body, for mail that has no text/plain part.
//
// Not a renderer: tags are dropped, block elements become line breaks, script/style/head
// content is skipped, character references are decoded. Input and output are UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace madoguchi::parsers {

std::string html_to_text(std::string_view html);

// The charset named by <meta charset=...> or <meta http-equiv content="...charset=...">
// in the first 4 KiB, lower-case, or "".
std::string html_meta_charset(std::string_view html);

}  // namespace madoguchi::parsers
