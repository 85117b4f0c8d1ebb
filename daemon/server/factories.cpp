// factories.cpp — see factories.h.
#include "daemon/server/factories.h"

#include "daemon/transport/dir_sink.h"
#include "daemon/transport/imap_source.h"
#include "daemon/transport/maildir_source.h"
#include "daemon/transport/smtp_sink.h"
#include "daemon/transport/stdin_source.h"

namespace madoguchi::daemon {

std::unique_ptr<MailSource> make_source(const MailboxConfig& mailbox, Store& store) {
  if (mailbox.url.rfind("maildir:", 0) == 0)
    return std::make_unique<MaildirSource>(mailbox.name, mailbox.url.substr(8));
  return std::make_unique<ImapSource>(mailbox, store);
}

std::unique_ptr<MailSource> make_stdin_source(const MailboxConfig& mailbox, std::istream& in) {
  return std::make_unique<StdinSource>(mailbox.name, in, mailbox.max_message_size);
}

std::unique_ptr<MailSink> make_sink(const SmtpConfig& smtp) {
  if (smtp.url.rfind("dir:", 0) == 0) return std::make_unique<DirSink>(smtp.url.substr(4));
  return std::make_unique<SmtpSink>(smtp_options_from_config(smtp));
}

}  // namespace madoguchi::daemon
