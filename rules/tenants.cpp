// tenants.cpp — see tenants.h.
#include "rules/tenants.h"

#include "rules/text_normalize.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace madoguchi::rules {

std::string normalize_contract_id(std::string_view id) {
  std::string s = normalize_identifier_text(id);
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\t') continue;
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

std::optional<std::chrono::year_month_day> parse_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  int y = 0;
  unsigned m = 0, d = 0;
  auto num = [](std::string_view s, auto& v) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size();
  };
  if (!num(t.substr(0, 4), y) || !num(t.substr(5, 2), m) || !num(t.substr(8, 2), d))
    return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::vector<Tenant> parse_tenants(const YAML::Node& root, ConfigReader& r,
                                  const std::vector<std::string>* known_desks) {
  std::vector<Tenant> out;
  if (root.IsNull()) return out;  // an empty file: no tenants
  if (!r.expect_map(root, "the tenants file")) return out;
  r.check_keys(root, {"tenants"});
  YAML::Node list = root["tenants"];
  if (!list.IsDefined() || list.IsNull()) return out;
  if (!list.IsSequence()) {
    r.error(list, "'tenants' must be a list");
    return out;
  }
  std::set<std::string> ids, contract_ids, admins;
  for (const auto& t : list) {
    if (!r.expect_map(t, "a tenant")) continue;
    r.check_keys(t, {"id", "company", "tenant", "domains", "admins", "notices", "contracts",
                     "mail_charset"});
    Tenant tenant;
    tenant.id = r.string(t, "id", true).value_or("");
    if (!tenant.id.empty() && !ids.insert(tenant.id).second)
      r.error(t["id"], "tenant id '" + tenant.id + "' is used twice");
    tenant.company = r.string(t, "company", true).value_or("");
    tenant.tenant = r.string(t, "tenant").value_or("");
    if (auto cs = r.string(t, "mail_charset")) {
      if (valid_mail_charset(*cs))
        tenant.mail_charset = *cs;
      else
        r.error(t["mail_charset"], "'mail_charset' must be utf-8, utf-8-qp or iso-2022-jp");
    }
    for (auto& d : r.string_list(t, "domains")) tenant.domains.push_back(normalize_address(d));
    for (auto& a : r.string_list(t, "admins")) {
      std::string n = normalize_address(a);
      if (n.find('@') == std::string::npos) r.error(t["admins"], "'" + a + "' is not an address");
      if (!admins.insert(n).second)
        r.error(t["admins"], "admin '" + a + "' is listed for two tenants");
      tenant.admins.push_back(n);
    }
    for (auto& a : r.string_list(t, "notices")) tenant.notices.push_back(normalize_address(a));
    YAML::Node cs = t["contracts"];
    if (cs.IsDefined() && !cs.IsNull() && !cs.IsSequence()) {
      r.error(cs, "'contracts' must be a list");
    } else if (cs.IsDefined()) {
      for (const auto& c : cs) {
        if (!r.expect_map(c, "a contract")) continue;
        r.check_keys(c, {"id", "kind", "desks", "valid_from", "valid_until", "status", "incidents"});
        Contract k;
        k.id = normalize_contract_id(r.string(c, "id", true).value_or(""));
        if (!k.id.empty() && !contract_ids.insert(k.id).second)
          r.error(c["id"], "contract id '" + k.id + "' is used twice");
        k.kind = r.string(c, "kind", true).value_or("contract_id");
        if (k.kind != "contract_id" && k.kind != "maintenance_id" && k.kind != "licence")
          r.error(c["kind"], "'kind' must be contract_id, maintenance_id or licence");
        k.desks = r.string_list(c, "desks", true);
        if (known_desks)
          for (const auto& d : k.desks)
            if (std::find(known_desks->begin(), known_desks->end(), d) == known_desks->end())
              r.error(c["desks"], "unknown desk '" + d + "'");
        for (const char* key : {"valid_from", "valid_until"}) {
          auto s = r.string(c, key, true);
          if (!s) continue;
          auto d = parse_date(*s);
          if (!d) {
            r.error(c[key], std::string("'") + key + "' must be a date YYYY-MM-DD");
            continue;
          }
          (std::string_view(key) == "valid_from" ? k.valid_from : k.valid_until) = *d;
        }
        if (k.valid_from.ok() && k.valid_until.ok() &&
            std::chrono::sys_days(k.valid_until) < std::chrono::sys_days(k.valid_from))
          r.error(c["valid_until"], "'valid_until' is before 'valid_from'");
        k.status = r.string(c, "status").value_or("active");
        if (k.status != "active" && k.status != "suspended")
          r.error(c["status"], "'status' must be active or suspended");
        if (auto n = r.integer(c, "incidents")) {
          if (*n < 0) r.error(c["incidents"], "'incidents' must not be negative");
          k.incidents = static_cast<int>(*n);
        }
        tenant.contracts.push_back(std::move(k));
      }
    }
    out.push_back(std::move(tenant));
  }
  return out;
}

std::vector<Tenant> load_tenants(const std::filesystem::path& file, ConfigErrors& errors,
                                 const std::vector<std::string>* known_desks) {
  ConfigReader r(file.string());
  std::vector<Tenant> out;
  if (auto root = r.load()) out = parse_tenants(*root, r, known_desks);
  for (auto& e : r.take_errors()) errors.push_back(std::move(e));
  return out;
}

TenantDirectory::TenantDirectory(std::vector<Tenant> tenants) : tenants_(std::move(tenants)) {
  for (std::size_t i = 0; i < tenants_.size(); ++i) {
    for (const auto& a : tenants_[i].admins) admins_.emplace(a, i);
    for (const auto& d : tenants_[i].domains) domains_.emplace(d, i);
    for (std::size_t j = 0; j < tenants_[i].contracts.size(); ++j) {
      const auto& id = tenants_[i].contracts[j].id;
      if (id.empty()) continue;
      contracts_.emplace(id, std::pair{i, j});
      contract_finder_.add(normalize_text(id));
    }
  }
  contract_finder_.build();
}

const Tenant* TenantDirectory::by_admin(std::string_view address) const {
  auto it = admins_.find(normalize_address(address));
  return it == admins_.end() ? nullptr : &tenants_[it->second];
}

const Tenant* TenantDirectory::by_domain(std::string_view address) const {
  const std::string a = normalize_address(address);
  const auto at = a.rfind('@');
  std::string_view domain = at == std::string::npos ? std::string_view(a) : std::string_view(a).substr(at + 1);
  while (!domain.empty()) {
    if (auto it = domains_.find(domain); it != domains_.end()) return &tenants_[it->second];
    const auto dot = domain.find('.');
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  return nullptr;
}

ContractRef TenantDirectory::by_contract(std::string_view id) const {
  auto it = contracts_.find(normalize_contract_id(id));
  if (it == contracts_.end()) return {};
  const Tenant& t = tenants_[it->second.first];
  return {&t, &t.contracts[it->second.second]};
}

std::vector<std::string> TenantDirectory::contract_ids_in(std::string_view text) const {
  std::vector<std::string> out;
  if (contract_finder_.size() == 0) return out;
  const std::string norm = normalize_identifier_text(text);
  std::vector<std::uint8_t> hits;
  contract_finder_.find_all(norm, hits);
  std::vector<std::pair<std::size_t, std::string>> found;
  for (std::size_t i = 0; i < hits.size(); ++i)
    if (hits[i]) {
      const std::string& kw = contract_finder_.keyword(i);
      found.emplace_back(norm.find(kw), normalize_contract_id(kw));
    }
  std::sort(found.begin(), found.end());
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

}  // namespace madoguchi::rules
