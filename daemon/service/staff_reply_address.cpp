// staff_reply_address.cpp — see staff_reply_address.h.
#include "daemon/service/staff_reply_address.h"

#include "rules/policy.h"

#include <cctype>

namespace madoguchi::daemon {
namespace {

constexpr std::size_t kKeyChars = 16;

// "mg-000123-<key>" -> {"MG-000123", "<key>"}, else nullopt.
std::optional<std::pair<std::string, std::string>> split_detail(std::string_view detail) {
  if (!detail.starts_with("mg-")) return std::nullopt;
  std::size_t i = 3;
  while (i < detail.size() && std::isdigit(static_cast<unsigned char>(detail[i]))) ++i;
  if (i - 3 < 6 || i - 3 > 12 || i >= detail.size() || detail[i] != '-') return std::nullopt;
  const std::string_view key = detail.substr(i + 1);
  if (key.size() != kKeyChars) return std::nullopt;
  return std::make_pair("MG-" + std::string(detail.substr(3, i - 3)), std::string(key));
}

}  // namespace

std::string keyed_reply_address(const TagKey& key, const rules::Desk& desk, std::string_view number,
                                std::string_view staff) {
  const std::string& base = desk.staff_reply_address;
  const auto at = base.rfind('@');
  if (base.empty() || at == std::string::npos) return {};
  std::string detail = "mg-" + std::string(number.substr(number.find('-') + 1)) + "-" +
                       key.staff_reply_key(number, rules::normalize_address(staff));
  return base.substr(0, at) + "+" + detail + base.substr(at);
}

std::optional<std::string> keyed_reply_ticket(const TagKey& key, const rules::Desk& desk,
                                              const parsers::ParsedMail& mail, std::string_view sender) {
  const std::string& base = desk.staff_reply_address;
  const auto base_at = base.rfind('@');
  if (base.empty() || base_at == std::string::npos || sender.empty()) return std::nullopt;
  const std::string local = base.substr(0, base_at) + "+";
  const std::string_view domain = std::string_view(base).substr(base_at);
  const std::string staff = rules::normalize_address(sender);
  for (const auto* list : {&mail.to, &mail.cc, &mail.delivered_to}) {
    for (const auto& a : *list) {
      const std::string n = rules::normalize_address(a.address);  // lower case: MTAs may fold it
      const auto at = n.rfind('@');
      if (at == std::string::npos || !n.starts_with(local) || std::string_view(n).substr(at) != domain) continue;
      const auto parts = split_detail(std::string_view(n).substr(local.size(), at - local.size()));
      if (parts && key.verify_staff_reply_key(parts->first, staff, parts->second)) return parts->first;
    }
  }
  return std::nullopt;
}

}  // namespace madoguchi::daemon
