// customer_text.cpp — see customer_text.h.
#include "daemon/service/customer_text.h"

#include "parsers/mime.h"

namespace madoguchi::daemon {
namespace {

constexpr std::size_t kMaxNameChars = 40;
constexpr std::size_t kMaxMessageId = 250;
constexpr std::size_t kReferencesKept = 10;  // besides the first

bool has_control(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return true;
    // C1 controls (U+0080-U+009F) in UTF-8: C2 80 .. C2 9F
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
  }
  return false;
}

bool looks_like_link(std::string_view s) {
  const std::string lower = parsers::ascii_lower(s);
  for (const char* marker : {"://", "www.", "@", "＠", ".com", ".jp/", "http"})
    if (lower.find(marker) != std::string::npos) return true;
  return false;
}

}  // namespace

std::size_t utf8_prefix_bytes(std::string_view s, std::size_t max_chars) {
  std::size_t i = 0, chars = 0;
  while (i < s.size() && chars < max_chars) {
    const auto c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    ++chars;
  }
  return std::min(i, s.size());
}

std::string greeting_name(std::string_view name) {
  if (has_control(name) || looks_like_link(name)) return "";
  return std::string(name.substr(0, utf8_prefix_bytes(name, kMaxNameChars)));
}

std::vector<std::string> capped_references(const std::vector<std::string>& ids) {
  std::vector<std::string> kept;
  for (const auto& id : ids)
    if (!id.empty() && id.size() <= kMaxMessageId) kept.push_back(id);
  if (kept.size() > kReferencesKept + 1) kept.erase(kept.begin() + 1, kept.end() - kReferencesKept);
  return kept;
}

}  // namespace madoguchi::daemon
