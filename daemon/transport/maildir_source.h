// maildir_source.h — a local Maildir as a mail source (maildir:/path in madoguchi.yaml).
// Every file in new/ and cur/ is listed, whatever its flags (a mail a person already opened
// in a client is still mail for the desk); intake skips what the store already has, by key
// or, when a file was renamed, by content. Processing moves a file new/ -> cur/ with ":2,S"
// (the standard seen flag) or adds S in cur/; it is idempotent, never replaces another file
// and never deletes one.
#pragma once

#include "daemon/transport/mail_source.h"

#include <filesystem>
#include <unordered_map>

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
  // Where pending() last saw each key, so that fetch and mark do not list the folders again.
  std::unordered_map<std::string, std::filesystem::path> seen_at_;
};

// The unique part of a Maildir file name (before ":2,").
std::string maildir_unique_name(const std::string& filename);

}  // namespace madoguchi::daemon
