// staff_mail.h — what a staff member's e-mail to a ticket means (SPEC.md §5): a block of
// command lines at the top (`#close answered_spec`, `#status investigating`, `#note`), then
// the text. The text is relayed to the customer unless `#note` makes it an internal note.
// Quoted history (Outlook, Gmail, Apple Mail, Thunderbird, Japanese clients) and the staff
// member's signature are cut off so that internal text quoted from earlier mail never reaches
// the customer. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::daemon {

enum class StaffCommandKind { close, status, note, reopen };

struct StaffCommand {
  StaffCommandKind kind;
  std::string argument;  // close reason or status (checked: rules::parse_close_reason, parse_state); "" otherwise
};

struct StaffMail {
  std::vector<StaffCommand> commands;
  // `#note`, or any command: the text is an internal note, nothing is sent to the customer
  bool internal_note = false;
  std::string text;                 // the staff's own text, quotes and command lines removed
  std::vector<std::string> errors;  // unknown commands or arguments (nothing is applied then)
};

// Parses a staff mail's decoded body text.
StaffMail parse_staff_mail(std::string_view body);

// The staff member's own words: parsers::cut_reply (quoted history, '>' lines and the
// signature cut; inline answers between quoted lines kept, each removed quoted block leaving
// one blank line). The signature goes too, as the templates add the desk's own; staff who
// want their name in the text write it above the signature. Trailing blank lines are dropped.
std::string strip_quoted(std::string_view text);

}  // namespace madoguchi::daemon
