// identity.cpp — see identity.h.
#include "rules/identity.h"

#include "rules/text_normalize.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>

namespace madoguchi::rules {
namespace {

// Removes RFC 5322 comments "( … )" (nested), which MTAs put after results.
std::string strip_comments(std::string_view s) {
  std::string out;
  int depth = 0;
  for (char c : s) {
    if (c == '(') ++depth;
    else if (c == ')' && depth > 0) --depth;
    else if (depth == 0) out += c;
  }
  return out;
}

// The local date of `t` at the desk's offset.
std::chrono::sys_days local_day(std::chrono::sys_seconds t, std::chrono::minutes offset) {
  return std::chrono::floor<std::chrono::days>(t + offset);
}

enum class ContractState { valid, suspended, expired, not_yet };

ContractState state_of(const Contract& c, std::chrono::sys_days day) {
  if (c.status == "suspended") return ContractState::suspended;
  if (c.valid_from.ok() && day < std::chrono::sys_days(c.valid_from)) return ContractState::not_yet;
  if (c.valid_until.ok() && day > std::chrono::sys_days(c.valid_until)) return ContractState::expired;
  return ContractState::valid;
}

bool covers_desk(const Contract& c, std::string_view desk) {
  return std::find(c.desks.begin(), c.desks.end(), desk) != c.desks.end();
}

Identity identity_of(ContractState s) {
  switch (s) {
    case ContractState::valid: return Identity::eligible;
    case ContractState::suspended: return Identity::contract_suspended;
    case ContractState::expired:
    case ContractState::not_yet: return Identity::contract_expired;
  }
  return Identity::contract_expired;
}

}  // namespace

namespace {

// One Authentication-Results value split at ';' (comments removed, lower-cased): the
// authserv-id [version] first, then one "method=result prop=value …" per part.
std::vector<std::string> ar_parts(std::string_view raw) {
  const std::string value = strip_comments(raw);
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (pos <= value.size()) {
    std::size_t semi = value.find(';', pos);
    if (semi == std::string::npos) semi = value.size();
    parts.push_back(ascii_lower_trim(std::string_view(value).substr(pos, semi - pos)));
    pos = semi + 1;
  }
  return parts;
}

std::vector<std::string> tokens_of(const std::string& p) {
  std::vector<std::string> tokens;
  std::size_t s = 0;
  while (s < p.size()) {
    while (s < p.size() && std::isspace(static_cast<unsigned char>(p[s]))) ++s;
    std::size_t e = s;
    while (e < p.size() && !std::isspace(static_cast<unsigned char>(p[e]))) ++e;
    if (e > s) tokens.push_back(p.substr(s, e - s));
    s = e;
  }
  return tokens;
}

// Whether one result ("dmarc=pass header.from=…", "dkim=pass header.d=…") authenticates
// `from_domain`: dmarc needs header.from equal to it; dkim needs header.d (or the domain of
// header.i) aligned with it (relaxed: one a subdomain of the other).
bool result_authenticates(const std::vector<std::string>& tokens, std::string_view from_domain) {
  if (tokens.empty()) return false;
  auto prop = [&](std::string_view key) -> std::string {
    for (const auto& t : tokens)
      if (t.size() > key.size() && t.starts_with(key) && t[key.size()] == '=') return t.substr(key.size() + 1);
    return {};
  };
  if (tokens[0] == "dmarc=pass") return !from_domain.empty() && prop("header.from") == from_domain;
  if (tokens[0] == "dkim=pass") {
    std::string d = prop("header.d");
    if (d.empty()) d = address_domain(prop("header.i"));
    return domains_aligned(d, from_domain);
  }
  return false;
}

}  // namespace

std::string address_domain(std::string_view address) {
  const auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : ascii_lower_trim(address.substr(at + 1));
}

bool domains_aligned(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return false;
  auto sub = [](std::string_view x, std::string_view parent) {
    return x.size() > parent.size() && x.ends_with(parent) && x[x.size() - parent.size() - 1] == '.';
  };
  return a == b || sub(a, b) || sub(b, a);
}

bool sender_authenticated(const parsers::ParsedMail& mail, const std::vector<std::string>& trusted_ids,
                          std::string_view from_domain) {
  std::vector<std::string> fields = mail.authentication_results;
  if (fields.empty())  // a parser that did not fill the list: read the raw fields
    for (const auto& h : mail.headers)
      if (ascii_lower_trim(h.name) == "authentication-results") fields.push_back(h.value);
  // RFC 8601 §5: our MTAs add their field on top; everything below the first field that is
  // not theirs came with the mail and may be forged. Only that top block counts.
  for (const auto& raw : fields) {
    const auto parts = ar_parts(raw);
    const std::string authserv = ascii_lower_trim(parts[0].substr(0, parts[0].find_first_of(" \t")));
    if (std::find(trusted_ids.begin(), trusted_ids.end(), authserv) == trusted_ids.end()) break;
    for (std::size_t i = 1; i < parts.size(); ++i)
      if (result_authenticates(tokens_of(parts[i]), from_domain)) return true;
  }
  return false;
}

std::vector<std::string> labelled_contract_ids(std::string_view text) {
  static const re2::RE2 pattern(
      "(?:保守\\s*id|契約\\s*id|契約番号|保守番号|ライセンス\\s*(?:番号|id|no\\.?)|licen[cs]e\\s*"
      "(?:no\\.?|id|number)|maintenance\\s*id|contract\\s*id)\\s*(?:[:：は]|は|=)?\\s*"
      "([a-z0-9][a-z0-9-]*[a-z0-9])");
  std::vector<std::string> out;
  const std::string norm = normalize_identifier_text(text);
  re2::StringPiece input(norm);
  std::string id;
  while (re2::RE2::FindAndConsume(&input, pattern, &id)) {
    std::string canon;
    for (char c : id) canon += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (std::find(out.begin(), out.end(), canon) == out.end()) out.push_back(canon);
  }
  return out;
}

IdentityResult identify(const parsers::ParsedMail& mail, const Desk& desk,
                        const TenantDirectory& directory, std::chrono::sys_seconds received_at) {
  IdentityResult r;
  if (!mail.from.empty()) r.sender = normalize_address(mail.from.front().address);
  else if (mail.return_path && !mail.return_path->empty()) r.sender = normalize_address(*mail.return_path);
  if (r.sender.empty()) {
    r.identity = Identity::not_registered;
    r.detail = "no sender address";
    return r;
  }
  const Tenant* admin_of = directory.by_admin(r.sender);
  const Tenant* domain_of_tenant = directory.by_domain(r.sender);
  const Tenant* tenant = admin_of ? admin_of : domain_of_tenant;
  if (!tenant) {
    r.identity = Identity::not_registered;
    r.detail = "sender matches no tenant admin or domain";
    return r;
  }
  if (desk.require_authenticated_sender &&
      !sender_authenticated(mail, desk.trusted_authserv_ids, address_domain(r.sender))) {
    r.identity = Identity::unverified_sender;
    r.detail = "no dmarc=pass or aligned dkim=pass from a trusted authserv-id";
    return r;
  }
  r.tenant = tenant;
  const bool admin = admin_of != nullptr;
  if (desk.eligibility != Eligibility::contract_id && !admin) {
    r.identity = Identity::not_admin;
    r.detail = desk.eligibility == Eligibility::tenant_admin
                   ? "sender is in the tenant's domain but not a registered tenant admin"
                   : "sender is not the registered support user";
    return r;
  }

  const std::chrono::sys_days day = local_day(received_at, desk.hours.utc_offset);
  const std::string text = mail.subject + "\n" + mail.text;
  // Ids written in the mail that are known, then whether one is the sender's tenant's.
  const Contract* named = nullptr;
  bool named_other_tenant = false;
  for (const auto& id : directory.contract_ids_in(text)) {
    ContractRef ref = directory.by_contract(id);
    if (!ref.contract || !covers_desk(*ref.contract, desk.id)) continue;
    if (ref.tenant == tenant) {
      named = ref.contract;
      break;
    }
    named_other_tenant = true;
  }
  if (desk.eligibility == Eligibility::contract_id && !named) {
    r.identity = Identity::contract_missing;
    if (named_other_tenant) r.detail = "the contract id given belongs to another tenant";
    else if (!labelled_contract_ids(text).empty()) r.detail = "the contract id given is not known";
    else r.detail = "no 保守ID/契約ID in subject or body";
    return r;
  }
  if (named) {
    r.contract = named;
    r.identity = identity_of(state_of(*named, day));
    r.detail = "contract " + named->id + " named in the mail";
    return r;
  }
  // tenant_admin / registered_user: the best of the tenant's contracts for this desk.
  const Contract* best = nullptr;
  ContractState best_state = ContractState::expired;
  auto rank = [](ContractState s) {
    return s == ContractState::valid ? 0 : s == ContractState::suspended ? 1 : 2;
  };
  for (const auto& c : tenant->contracts) {
    if (!covers_desk(c, desk.id)) continue;
    ContractState s = state_of(c, day);
    if (!best || rank(s) < rank(best_state)) {
      best = &c;
      best_state = s;
    }
  }
  if (!best) {
    r.identity = Identity::contract_missing;
    r.detail = "the tenant has no contract for desk " + desk.id;
    return r;
  }
  r.contract = best;
  r.identity = identity_of(best_state);
  r.detail = "contract " + best->id + " of the tenant";
  return r;
}

}  // namespace madoguchi::rules
