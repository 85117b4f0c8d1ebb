// identity.h — who is writing (SPEC.md §3): sender address, tenant, contract and whether the
// desk's eligibility rule lets them ask.
//
// Why not trust From blindly: the peers do, and a forged From of a registered admin then
// gets support. A desk with `require_authenticated_sender` only believes the From address
// when an Authentication-Results field added by one of its own trusted MTAs says dmarc=pass,
// or dkim=pass for a domain aligned with the From domain.
#pragma once

#include "parsers/parsed_mail.h"
#include "rules/policy.h"
#include "rules/tenants.h"

#include <chrono>
#include <string>
#include <vector>

namespace madoguchi::rules {

struct IdentityResult {
  Identity identity = Identity::not_registered;
  std::string sender;                 // normalised From address ("" when the mail has none)
  const Tenant* tenant = nullptr;
  const Contract* contract = nullptr;
  std::string detail;                 // English, for --explain, e.g. "contract LX-1 of another tenant"
};

// Identifies the sender of `mail` for `desk` at `received_at` (contract validity is judged
// on the desk's local date of that instant).
IdentityResult identify(const parsers::ParsedMail& mail, const Desk& desk,
                        const TenantDirectory& directory, std::chrono::sys_seconds received_at);

// The lower-case domain of an address ("" without '@').
std::string address_domain(std::string_view address);
// Relaxed (DMARC) alignment: equal, or one a subdomain of the other; false when one is empty.
bool domains_aligned(std::string_view a, std::string_view b);

// True when the top block of Authentication-Results fields written by `trusted_ids`
// (lower-case; RFC 8601 §5: the fields above the first one of another authserv-id — what came
// with the mail below that may be forged) reports dmarc=pass with header.from equal to
// `from_domain`, or dkim=pass with header.d (or header.i's domain) aligned with it (equal, or
// one a subdomain of the other).
bool sender_authenticated(const parsers::ParsedMail& mail, const std::vector<std::string>& trusted_ids,
                          std::string_view from_domain);

// Contract ids written after a label (保守ID, 契約ID, ライセンス番号, licence no …) whether or
// not they are known, canonical; for telling "unknown id" from "no id".
std::vector<std::string> labelled_contract_ids(std::string_view text);

}  // namespace madoguchi::rules
