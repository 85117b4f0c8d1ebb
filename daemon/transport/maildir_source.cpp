// maildir_source.cpp — see maildir_source.h.
#include "daemon/transport/maildir_source.h"

#include "daemon/store/spool.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace madoguchi::daemon {

namespace fs = std::filesystem;

std::string maildir_unique_name(const std::string& filename) {
  auto colon = filename.find(":2,");
  return colon == std::string::npos ? filename : filename.substr(0, colon);
}

MaildirSource::MaildirSource(std::string name, fs::path root)
    : name_(std::move(name)), root_(std::move(root)) {}

std::vector<SourceItem> MaildirSource::pending() {
  std::vector<std::pair<fs::file_time_type, SourceItem>> found;
  seen_at_.clear();
  std::error_code ec;
  for (const char* sub : {"new", "cur"}) {
    fs::path dir = root_ / sub;
    if (!fs::is_directory(dir, ec)) {
      if (std::string(sub) == "new") throw SourceError("maildir " + dir.string() + " is not a directory");
      continue;
    }
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string fname = entry.path().filename().string();
      if (fname.empty() || fname[0] == '.' || !entry.is_regular_file(ec)) continue;
      SourceItem item;
      item.key = maildir_unique_name(fname);
      auto mtime = entry.last_write_time(ec);
      item.arrived = std::chrono::time_point_cast<std::chrono::seconds>(
          std::chrono::file_clock::to_sys(mtime));
      seen_at_[item.key] = entry.path();
      found.emplace_back(mtime, std::move(item));
    }
    if (ec) throw SourceError("cannot list " + dir.string() + ": " + ec.message());
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second.key < b.second.key;
  });
  std::vector<SourceItem> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

fs::path MaildirSource::locate(const SourceItem& item) const {
  std::error_code ec;
  if (auto it = seen_at_.find(item.key); it != seen_at_.end() && fs::is_regular_file(it->second, ec))
    return it->second;
  for (const char* sub : {"new", "cur"}) {
    for (const auto& entry : fs::directory_iterator(root_ / sub, ec)) {
      if (maildir_unique_name(entry.path().filename().string()) == item.key) return entry.path();
    }
  }
  return {};
}

std::string MaildirSource::fetch(const SourceItem& item) {
  fs::path p = locate(item);
  if (p.empty()) throw SourceError("maildir item vanished: " + item.key);
  try {
    return read_file(p);
  } catch (const std::system_error& e) {
    throw ItemError(e.what());  // this file (permissions, a bad sector); the others may read
  }
}

void MaildirSource::mark_processed(const SourceItem& item) {
  fs::path p = locate(item);
  if (p.empty()) return;  // already moved or removed by the operator
  const std::string fname = p.filename().string();
  std::string target = item.key + ":2,";
  auto colon = fname.find(":2,");
  std::string flags = colon == std::string::npos ? "" : fname.substr(colon + 3);
  if (flags.find('S') == std::string::npos) flags += 'S';
  std::sort(flags.begin(), flags.end());
  target += flags;
  fs::path dest = root_ / "cur" / target;
  if (p == dest) return;
  // Never over another file (a rename would replace it). Where the file system lacks
  // RENAME_NOREPLACE, link + unlink does the same.
  int rc = ::renameat2(AT_FDCWD, p.c_str(), AT_FDCWD, dest.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && (errno == EINVAL || errno == ENOSYS) && ::link(p.c_str(), dest.c_str()) == 0)
    rc = ::unlink(p.c_str());
  // A file of that name exists already: this one stays where it is. It is stored, so it is
  // listed again and skipped by its key; the operator can sort out the clash.
  if (rc != 0 && errno == EEXIST) return;
  if (rc != 0) throw SourceError("cannot move " + fname + " to cur/: " + std::strerror(errno));
  seen_at_[item.key] = dest;
}

}  // namespace madoguchi::daemon
