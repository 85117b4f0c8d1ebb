// ticket_show.cpp — see ticket_show.h.
#include "daemon/cli/ticket_show.h"

#include "daemon/cli/cli.h"
#include "daemon/cli/terminal_text.h"
#include "daemon/service/staff_notice.h"
#include "daemon/service/views.h"
#include "rules/calendar.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace madoguchi::daemon {
namespace {

std::string when(std::chrono::sys_seconds t) { return rules::format_iso8601(t, rules::kJapanOffset); }
std::string when(const std::optional<std::chrono::sys_seconds>& t) { return t ? when(*t) : std::string("-"); }

// Each line of a stranger's text, neutralised and indented: controls cannot reach the terminal,
// and the text cannot pass for our own output.
void print_text(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::cout << "      | " << printable(line) << '\n';
    pos = eol + 1;
  }
}

std::optional<TicketDetails> load(Session& s, const std::string& arg, const char* command) {
  const auto number = normalize_ticket_number(arg);
  if (!number) {
    std::cerr << "madoguchi ticket " << command << ": '" << printable(arg) << "' is not a ticket number\n";
    return std::nullopt;
  }
  auto d = ticket_details(*s.store, *number);
  if (!d) std::cerr << "madoguchi ticket " << command << ": no ticket " << *number << '\n';
  return d;
}

int load_failure(const std::string& arg) { return normalize_ticket_number(arg) ? exit_failure : exit_usage; }

}  // namespace

int show_ticket(Session& s, const std::string& arg, int raw) {
  const auto d = load(s, arg, "show");
  if (!d) return load_failure(arg);
  if (raw > 0) {
    const auto bytes = ticket_message_raw(*s.store, *d, raw);
    if (!bytes) {
      std::cerr << "madoguchi ticket show: " << d->ticket.number << " has no readable message " << raw << " (it has "
                << d->messages.size() << ")\n";
      return exit_failure;
    }
    std::cout.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
    return exit_ok;
  }
  const TicketRow& t = d->ticket;
  std::cout << "ticket      " << t.number << '\n'
            << "desk        " << t.desk << '\n'
            << "tenant      " << t.tenant.value_or("-") << '\n'
            << "requester   " << printable(t.requester) << (t.requester_name.empty() ? "" : " (" + printable(t.requester_name) + ")")
            << '\n'
            << "subject     " << printable(t.subject) << '\n'
            << "status      " << to_string(t.status) << " (" << status_words(t.status) << ")"
            << (t.flagged ? "  (flagged for staff)" : "") << '\n'
            << "decision    " << t.outcome << " (" << outcome_words(t.outcome) << ") rule=" << t.rule.value_or("-")
            << " reason=" << t.reason.value_or("-") << '\n'
            << "received    " << when(t.received_at) << '\n'
            << "accepted    " << when(t.accepted_at) << '\n'
            << "due         " << when(t.first_response_due) << '\n';
  if (t.closed_at) std::cout << "closed      " << when(*t.closed_at) << " (" << t.close_reason.value_or("-") << ")\n";
  if (t.parent) std::cout << "continues   " << ticket_number(*t.parent) << '\n';

  std::cout << "\nmessages (original bytes: madoguchi ticket show " << t.number << " --raw N)\n";
  for (const auto& m : ticket_messages(*s.store, *d, s.config.staff)) {
    const auto& sm = m.summary;
    std::cout << "  [" << m.number << "] " << when(sm.received_at) << "  from " << m.direction << " "
              << printable(sm.sender) << "  " << to_string(sm.state) << "  [" << sm.identity << ", " << sm.outcome
              << (sm.warnings.empty() ? "" : ", warnings: " + sm.warnings) << "]  message #" << sm.id << '\n'
              << "      Subject: " << printable(sm.subject) << '\n';
    if (!m.error.empty()) std::cout << "      (" << m.error << ")\n";
    else if (m.text.empty()) std::cout << "      (no text)\n";
    else print_text(m.text);
    for (const auto& a : m.attachments)
      std::cout << "      attachment " << a.number << ": " << printable(a.filename.empty() ? "(no name)" : a.filename)
                << " (" << printable(a.content_type) << ", " << a.size << " bytes)  madoguchi ticket attachment "
                << t.number << ' ' << a.number << " --out FILE\n";
  }
  std::cout << "\noutgoing\n";
  for (const auto& o : d->outgoing) {
    std::cout << "  " << when(o.created_at) << "  " << o.kind << " (" << o.template_name << ") to "
              << printable(o.recipient) << "  " << to_string(o.state);
    if (o.state == OutboxState::pending)
      std::cout << ", next attempt " << when(o.next_attempt_at) << " (" << o.attempts << " so far)";
    else if (o.state == OutboxState::sent)
      std::cout << " " << when(o.sent_at) << " after " << o.attempts << " attempt(s)";
    else
      std::cout << " after " << o.attempts << " attempt(s)";
    std::cout << (o.last_reply.empty() ? "" : ": " + printable(o.last_reply)) << '\n';
  }
  std::cout << "\nhistory\n";
  for (const auto& e : d->history)
    std::cout << "  " << when(e.at) << "  " << printable(e.actor) << "  " << e.event << "  " << printable(e.detail)
              << '\n';
  return exit_ok;
}

int extract_attachment(Session& s, const std::string& arg, int n, const std::string& out) {
  const auto d = load(s, arg, "attachment");
  if (!d) return load_failure(arg);
  const auto a = ticket_attachment(*s.store, *d, n);
  if (!a) {
    std::cerr << "madoguchi ticket attachment: " << d->ticket.number << " has no attachment " << n
              << " (madoguchi ticket show " << d->ticket.number << " lists them)\n";
    return exit_failure;
  }
  if (out == "-") {
    std::cout.write(a->content.data(), static_cast<std::streamsize>(a->content.size()));
    return exit_ok;
  }
  // O_EXCL: never over an existing file (or through a symlink an attacker planted).
  const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    std::cerr << "madoguchi ticket attachment: cannot create " << printable(out) << ": " << std::strerror(errno) << '\n';
    return exit_failure;
  }
  std::size_t done = 0;
  while (done < a->content.size()) {
    const ssize_t w = ::write(fd, a->content.data() + done, a->content.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      std::cerr << "madoguchi ticket attachment: writing " << printable(out) << ": " << std::strerror(errno) << '\n';
      ::close(fd);
      return exit_failure;
    }
    done += static_cast<std::size_t>(w);
  }
  if (::close(fd) != 0) {
    std::cerr << "madoguchi ticket attachment: writing " << printable(out) << ": " << std::strerror(errno) << '\n';
    return exit_failure;
  }
  std::cout << "wrote attachment " << n << " of " << d->ticket.number << " ("
            << printable(a->info.filename.empty() ? "(no name)" : a->info.filename) << ", "
            << printable(a->info.content_type) << ", " << a->content.size() << " bytes) to " << printable(out) << '\n';
  return exit_ok;
}

}  // namespace madoguchi::daemon
