// maildir_source.h — a local Maildir as a mail source (maildir:/path in madoguchi.yaml).
// Pending mail is what is in new/ (and cur/ without the S flag); processing moves a file
// new/ -> cur/ with ":2,S" (the standard seen flag), never deleting it.
#pragma once

#include "daemon/transport/mail_source.h"

#include <filesystem>

namespace madoguchi::daemon {

class MaildirSource final : public MailSource {
 public:
  MaildirSource(std::string name, std::filesystem::path root);
  const std::string& name() const override { return name_; }
  std::vector<SourceItem> pending() override;
  std::string fetch(const SourceItem& item) override;
  void mark_processed(const SourceItem& item) override;

 private:
  std::filesystem::path locate(const SourceItem& item) const;

  std::string name_;
  std::filesystem::path root_;
};

// The unique part of a Maildir file name (before ":2,").
std::string maildir_unique_name(const std::string& filename);

}  // namespace madoguchi::daemon
