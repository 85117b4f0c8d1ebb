// ticket_tags.cpp — see ticket_tags.h.
#include "daemon/service/ticket_tags.h"

#include "daemon/service/customer_text.h"

#include "daemon/store/spool.h"
#include "parsers/reply_text.h"

#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <stdexcept>

namespace madoguchi::daemon {
namespace {
// Cuts a UTF-8 string to at most `max_chars` code points.
std::string utf8_prefix(std::string_view s, std::size_t max_chars) {
  const std::size_t n = utf8_prefix_bytes(s, max_chars);
  std::string out(s.substr(0, n));
  if (n < s.size()) out += "…";
  return out;
}

// The length of a ticket tag ("[#MG-000123]" or "[#MG-000123-k7q]") starting at `pos`, or 0.
std::size_t tag_length_at(std::string_view s, std::size_t pos) {
  if (s.compare(pos, 5, "[#MG-") != 0) return 0;
  std::size_t i = pos + 5;
  std::size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (digits < 6 || i >= s.size()) return 0;
  if (s[i] == ']') return i + 1 - pos;
  if (s[i] != '-') return 0;
  const std::size_t start = ++i;
  while (i < s.size() && std::isalnum(static_cast<unsigned char>(s[i]))) ++i;
  return i < s.size() && s[i] == ']' && i > start ? i + 1 - pos : 0;
}

}  // namespace

TagKey TagKey::load_or_create(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    std::string key = read_file(file);
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (key.size() < 16) throw std::runtime_error("tag key " + file.string() + " is shorter than 16 bytes");
    return TagKey(std::move(key));
  }
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("cannot generate a tag key");
  std::string key(reinterpret_cast<const char*>(raw), sizeof raw);
  std::filesystem::create_directories(file.parent_path());
  write_file_atomically(file, key);
  return TagKey(std::move(key));
}

std::string TagKey::mac_base32(std::string_view data, int chars) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  static const char* alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  for (int i = 0; i < chars && (i + 1) * 5 <= static_cast<int>(len) * 8; ++i) {
    int value = 0;  // five bits, most significant first, from bit 5*i of the MAC
    for (int bit = 5 * i; bit < 5 * i + 5; ++bit) value = (value << 1) | ((mac[bit / 8] >> (7 - bit % 8)) & 1);
    out += alphabet[value];
  }
  return out;
}

std::string TagKey::check(std::string_view number) const { return mac_base32(number, 6); }

namespace {
bool equal_in_constant_time(std::string_view given, const std::string& expected) {
  return given.size() == expected.size() && CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}
}  // namespace

bool TagKey::verify(std::string_view number, std::string_view given) const {
  return equal_in_constant_time(given, check(number));
}

std::string TagKey::staff_reply_key(std::string_view number, std::string_view staff) const {
  // NUL separators: no number/address pair can be spelled as another
  return mac_base32("staff-reply" + std::string(1, '\0') + std::string(number) + std::string(1, '\0') +
                        std::string(staff),
                    16);
}

bool TagKey::verify_staff_reply_key(std::string_view number, std::string_view staff, std::string_view given) const {
  return equal_in_constant_time(given, staff_reply_key(number, staff));
}

std::string TagKey::tag(std::string_view number) const {
  return "[#" + std::string(number) + "-" + check(number) + "]";
}

std::optional<TagInSubject> find_ticket_tag(std::string_view subject) {
  for (std::size_t pos = subject.find("[#MG-"); pos != std::string_view::npos;
       pos = subject.find("[#MG-", pos + 1)) {
    std::size_t i = pos + 5;
    std::size_t digits = 0;
    while (i < subject.size() && subject[i] >= '0' && subject[i] <= '9') ++i, ++digits;
    if (digits < 6 || i >= subject.size()) continue;
    TagInSubject tag{std::string(subject.substr(pos + 2, 3 + digits)), std::nullopt};
    if (subject[i] == ']') return tag;
    if (subject[i] != '-') continue;
    const std::size_t start = ++i;
    while (i < subject.size() && std::isalnum(static_cast<unsigned char>(subject[i]))) ++i;
    if (i < subject.size() && subject[i] == ']' && i > start) {
      std::string check(subject.substr(start, i - start));
      for (auto& c : check) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      tag.check = std::move(check);
      return tag;
    }
  }
  return std::nullopt;
}

std::string display_subject(std::string_view subject) {
  // Only the front of a subject can be shown (40 characters): look at no more than
  // kDisplaySubjectScan bytes of it, cut at a character boundary, so the work per mail is
  // bounded whatever the sender put in the header.
  std::size_t limit = std::min(subject.size(), kDisplaySubjectScan);
  while (limit < subject.size() && limit > 0 && (static_cast<unsigned char>(subject[limit]) & 0xC0) == 0x80)
    --limit;
  // One pass: copy everything but our tags (each recognised tag is skipped where it stands;
  // one that starts before the limit may end a little after it).
  const std::string_view window = subject.substr(0, std::min(subject.size(), limit + 64));
  std::string s;
  s.reserve(limit);
  std::size_t i = 0;
  while (i < limit) {
    if (const std::size_t n = tag_length_at(window, i)) {
      i += n;
    } else {
      s += subject[i++];
    }
  }
  const bool cut = i < subject.size();  // there is more than was looked at
  // Reply and forward prefixes (Re:, Ｒｅ：, Re[2]:, 返信:, AW: ...) and leading white space;
  // linear, and over the bounded copy only.
  const std::string rest = parsers::strip_subject_prefixes(s);
  if (rest.empty()) return cut ? "…" : "(件名なし)";
  std::string out = utf8_prefix(rest, 40);
  if (cut && !out.ends_with("…")) out += "…";
  return out;
}

}  // namespace madoguchi::daemon
