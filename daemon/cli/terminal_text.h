// terminal_text.h — text from mail as the CLI prints it: a subject or a name is a stranger's
// bytes, and an escape sequence in it must not reach the operator's terminal (OSC, CSI, a
// bidi override that reorders what is shown).
#pragma once

#include <string>
#include <string_view>

namespace madoguchi::daemon {

// `text` with C0 and C1 control characters, DEL and the bidi embedding, override and isolate
// controls (U+202A-U+202E, U+2066-U+2069) each replaced by U+FFFD; tab and newline too, so
// one field stays one line.
std::string printable(std::string_view text);

// Dumped JSON with the same characters written as \uXXXX escapes (the JSON stays equal: only
// characters inside strings are rewritten, and C0 ones are escaped by the writer already).
std::string printable_json(std::string_view json);

}  // namespace madoguchi::daemon
