// ticket_tags.h — the public ticket tag in our subjects, [#MG-000123-k7qx2m]: the number and a
// short keyed check, so that a number alone does not let a stranger put mail into someone
// else's ticket (SPEC.md §5); and the customer's subject as shown inside ours.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace madoguchi::daemon {

class TagKey {
 public:
  explicit TagKey(std::string key) : key_(std::move(key)) {}
  // Reads the key file, or creates it (32 random bytes, mode 0600) when it does not exist.
  // Throws std::runtime_error when it cannot be read or created.
  static TagKey load_or_create(const std::filesystem::path& file);
  // Six characters of base32 (a-z, 2-7): 30 bits of HMAC-SHA256(key, number). Tags written
  // before carried the first three of the same six, and now count as unverified.
  std::string check(std::string_view number) const;
  // Whether `check` (lower-case) is this number's full check, compared in constant time.
  bool verify(std::string_view number, std::string_view check) const;
  // "[#MG-000123-k7qx2m]"
  std::string tag(std::string_view number) const;
  // Sixteen characters of base32 (80 bits) of HMAC-SHA256(key, "staff-reply", number, staff):
  // the key in the reply address of a staff notice about ticket `number` sent to `staff`.
  std::string staff_reply_key(std::string_view number, std::string_view staff) const;
  // Whether `given` (lower-case) is that key, compared in constant time.
  bool verify_staff_reply_key(std::string_view number, std::string_view staff, std::string_view given) const;

 private:
  // The first `chars` base32 characters (5 bits each) of HMAC-SHA256(key, data).
  std::string mac_base32(std::string_view data, int chars) const;
  std::string key_;
};

struct TagInSubject {
  std::string number;                // "MG-000123"
  std::optional<std::string> check;  // "k7qx2m" when present
};
// The ticket tag in a subject, if any ("[#MG-000123]" or "[#MG-000123-k7qx2m]").
std::optional<TagInSubject> find_ticket_tag(std::string_view subject);

// The customer's subject as shown inside ours: without our tags and reply prefixes, at most
// 40 characters ("(件名なし)" when nothing is left). Linear, and only the first
// kDisplaySubjectScan bytes are looked at (a longer subject ends in "…"), so a subject of
// megabytes costs no more than a short one.
inline constexpr std::size_t kDisplaySubjectScan = 4096;
std::string display_subject(std::string_view subject);

}  // namespace madoguchi::daemon
