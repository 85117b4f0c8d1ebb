// factories.h — the sources and the sink a configuration names (madoguchi.yaml's mailboxes
// and smtp:), made once at start-up.
#pragma once

#include "daemon/server/config.h"
#include "daemon/store/store.h"
#include "daemon/transport/mail_sink.h"
#include "daemon/transport/mail_source.h"

#include <istream>
#include <memory>

namespace madoguchi::daemon {

// maildir: or imap(s)://; IMAP keeps its checkpoint in `store`, which must outlive it.
std::unique_ptr<MailSource> make_source(const MailboxConfig& mailbox, Store& store);

// `madoguchi deliver`: the one mail on `in`, kept up to the mailbox's max_message_size.
std::unique_ptr<MailSource> make_stdin_source(const MailboxConfig& mailbox, std::istream& in);

// smtp(s):// or dir:; throws std::runtime_error when the SMTP credentials cannot be read.
std::unique_ptr<MailSink> make_sink(const SmtpConfig& smtp);

}  // namespace madoguchi::daemon
