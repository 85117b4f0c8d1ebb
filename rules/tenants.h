// tenants.h — the tenant directory: the operator-edited tenants file (SPEC.md §3) and the
// lookups identification needs (sender address -> tenant, contract id -> contract).
//
// Why a separate directory object: identification runs per mail, the file changes rarely,
// so every lookup table (and the automaton that finds contract ids in text) is built once at
// load time.
#pragma once

#include "rules/config_reader.h"
#include "rules/keyword_automaton.h"
#include "rules/policy.h"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::rules {

// Reads the `tenants:` document of `reader.file()` (already parsed as `root`). Unknown keys,
// duplicates, bad dates and a contract id used twice are errors in `reader`. With
// `known_desks`, a contract naming another desk is an error too.
std::vector<Tenant> parse_tenants(const YAML::Node& root, ConfigReader& reader,
                                  const std::vector<std::string>* known_desks = nullptr);

// Loads a tenants file; errors are appended to `errors`.
std::vector<Tenant> load_tenants(const std::filesystem::path& file, ConfigErrors& errors,
                                 const std::vector<std::string>* known_desks = nullptr);

// Canonical form of a contract id: NFKC, dashes folded, ASCII upper-case ("ｌｘ－１" -> "LX-1").
std::string normalize_contract_id(std::string_view id);

// Parses "YYYY-MM-DD"; nullopt when malformed or not a real date.
std::optional<std::chrono::year_month_day> parse_date(std::string_view text);

struct ContractRef {
  const Tenant* tenant = nullptr;
  const Contract* contract = nullptr;
};

class TenantDirectory {
 public:
  TenantDirectory() = default;
  explicit TenantDirectory(std::vector<Tenant> tenants);
  TenantDirectory(TenantDirectory&&) = default;
  TenantDirectory& operator=(TenantDirectory&&) = default;
  TenantDirectory(const TenantDirectory&) = delete;
  TenantDirectory& operator=(const TenantDirectory&) = delete;

  const std::vector<Tenant>& tenants() const { return tenants_; }
  // The tenant listing `address` (normalised) as an admin, or nullptr.
  const Tenant* by_admin(std::string_view address) const;
  // The tenant owning the address's domain (or a parent domain), or nullptr.
  const Tenant* by_domain(std::string_view address) const;
  // The contract with this id (any form; normalised here), or an empty ref.
  ContractRef by_contract(std::string_view id) const;
  // Every known contract id written in `text` (any width, case or dash), in text order
  // of first appearance; ids are canonical.
  std::vector<std::string> contract_ids_in(std::string_view text) const;

 private:
  std::vector<Tenant> tenants_;
  std::map<std::string, std::size_t, std::less<>> admins_;   // address -> tenant index
  std::map<std::string, std::size_t, std::less<>> domains_;  // domain -> tenant index
  std::map<std::string, std::pair<std::size_t, std::size_t>, std::less<>> contracts_;
  KeywordAutomaton contract_finder_;  // lower-case ids
};

}  // namespace madoguchi::rules
