// ticket_tags.cpp — see ticket_tags.h.
#include "daemon/service/ticket_tags.h"

#include "daemon/store/spool.h"

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
  std::size_t i = 0, chars = 0;
  while (i < s.size() && chars < max_chars) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    ++chars;
  }
  std::string out(s.substr(0, std::min(i, s.size())));
  if (i < s.size()) out += "…";
  return out;
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

std::string TagKey::check(std::string_view number) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(number.data()), number.size(), mac, &len);
  static const char* alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  const std::uint32_t v = (std::uint32_t(mac[0]) << 24) | (std::uint32_t(mac[1]) << 16) |
                          (std::uint32_t(mac[2]) << 8) | mac[3];
  std::string out;
  for (int i = 0; i < 6; ++i) out += alphabet[(v >> (27 - 5 * i)) & 31];
  return out;
}

bool TagKey::verify(std::string_view number, std::string_view given) const {
  const std::string expected = check(number);
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
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
  std::string s(subject);
  for (auto tag = find_ticket_tag(s); tag; tag = find_ticket_tag(s)) {
    const auto pos = s.find("[#" + tag->number);
    const auto end = s.find(']', pos);
    s.erase(pos, end == std::string::npos ? std::string::npos : end - pos + 1);
  }
  for (bool again = true; again;) {
    again = false;
    std::size_t i = s.find_first_not_of(' ');
    s.erase(0, i == std::string::npos ? s.size() : i);
    for (const char* prefix : {"Re:", "RE:", "re:", "Fw:", "FW:", "Fwd:", "AW:", "返信:", "転送:"}) {
      if (s.rfind(prefix, 0) == 0) {
        s.erase(0, std::string_view(prefix).size());
        again = true;
      }
    }
  }
  if (s.empty()) s = "(件名なし)";
  return utf8_prefix(s, 40);
}

}  // namespace madoguchi::daemon
