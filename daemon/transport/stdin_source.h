// stdin_source.h — one mail on standard input as a mail source (`madoguchi deliver`, for an
// MTA pipe), so that `deliver` goes through the same intake as every other source.
//
// The mail is read to the end (so the MTA sees it taken) and kept up to `limit` bytes; a
// longer mail is cut there, and intake flags it as oversize. The key is "stdin:<sha256>" of
// what is kept, so the same mail piped twice is stored once. Marking is the MTA's business:
// our exit status tells it whether the mail was taken.
#pragma once

#include "daemon/transport/mail_source.h"

#include <cstddef>
#include <istream>
#include <optional>

namespace madoguchi::daemon {

class StdinSource final : public MailSource {
 public:
  StdinSource(std::string name, std::istream& in, std::size_t limit);
  const std::string& name() const override { return name_; }
  // The one mail, read on the first call. Throws SourceError when the input cannot be read.
  std::vector<SourceItem> pending() override;
  std::string fetch(const SourceItem& item) override;
  void mark_processed(const SourceItem& item) override;

 private:
  std::string name_;
  std::istream& in_;
  std::size_t limit_;
  std::optional<std::string> raw_;
  bool taken_ = false;
};

}  // namespace madoguchi::daemon
