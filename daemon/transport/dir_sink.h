// dir_sink.h — the dry-run sink (smtp url dir:/path): each message becomes
// <n>-<message-id>.eml plus its envelope in a .json file, written atomically.
#pragma once

#include "daemon/transport/mail_sink.h"

#include <filesystem>

namespace madoguchi::daemon {

class DirSink final : public MailSink {
 public:
  explicit DirSink(std::filesystem::path dir);
  SendResult send(const Envelope& envelope, std::string_view raw,
                  std::string_view message_id) override;

 private:
  std::filesystem::path dir_;
};

}  // namespace madoguchi::daemon
