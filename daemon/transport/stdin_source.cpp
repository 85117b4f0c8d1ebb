// stdin_source.cpp — see stdin_source.h.
#include "daemon/transport/stdin_source.h"

#include "daemon/store/spool.h"

#include <algorithm>

namespace madoguchi::daemon {

StdinSource::StdinSource(std::string name, std::istream& in, std::size_t limit)
    : name_(std::move(name)), in_(in), limit_(limit) {}

std::vector<SourceItem> StdinSource::pending() {
  if (taken_) return {};
  if (!raw_) {
    std::string raw;
    char buf[65536];
    while (in_.read(buf, sizeof buf) || in_.gcount() > 0) {
      const auto n = static_cast<std::size_t>(in_.gcount());
      const std::size_t keep = raw.size() < limit_ ? std::min(n, limit_ - raw.size()) : 0;
      raw.append(buf, keep);
    }
    if (in_.bad()) throw SourceError("cannot read standard input");
    raw_ = std::move(raw);
  }
  return {SourceItem{"stdin:" + sha256_hex(*raw_), 0, 0, std::nullopt}};
}

std::string StdinSource::fetch(const SourceItem&) {
  if (!raw_) throw SourceError("standard input was not read");
  return *raw_;
}

void StdinSource::mark_processed(const SourceItem&) { taken_ = true; }

}  // namespace madoguchi::daemon
