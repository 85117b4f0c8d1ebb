// policy.h — the compiled, immutable decision policy: desks, tenants and scope rules.
//
// The daemon loads a Policy at start and on SIGHUP (parse -> validate -> compile, then swap a
// shared_ptr in one step; on error the old Policy stays). decide() is a pure function of the
// policy, the parsed mail, the receipt time and the mailbox's default desk: no IO, no clock.
#pragma once

#include "parsers/parsed_mail.h"
#include "rules/calendar.h"
#include "rules/config_reader.h"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace madoguchi::rules {

enum class Eligibility { tenant_admin, contract_id, registered_user };
enum class Intake { always, business_hours };

enum class Identity {
  eligible,
  not_registered,
  not_admin,
  contract_missing,
  contract_expired,
  contract_suspended,
  unverified_sender,
};

enum class Outcome {
  in_scope,
  out_of_scope,
  redirect,
  auto_reply_received,  // RFC 3834 auto-reply, list mail, loop: never answered
  bounce,               // DSN: marks our outbox message, never answered
  follow_up,            // belongs to an existing ticket (decided by the daemon's threading)
};

enum class Action { none, reply, flag };

struct Desk {
  std::string id;                      // file stem, e.g. "passlogic-cloud"
  std::string name;                    // display name (Japanese), e.g. "PassLogic クラウド版 サポート窓口"
  std::vector<std::string> addresses;  // lower-case support addresses; the first sends replies
  Eligibility eligibility = Eligibility::tenant_admin;
  Intake intake = Intake::always;
  CalendarSpec hours;
  std::string hours_text;              // Japanese description for templates, e.g. "平日 10:00〜17:00（土日祝日・年末年始を除く）"
  int first_response_business_days = 1;
  std::chrono::hours reopen_window{24 * 14};
  // A ticket silent in waiting_customer gets a warning after auto_close_warn_days business
  // days and is closed (agreed) auto_close_days business days later; 0 switches it off.
  int auto_close_warn_days = 0;
  int auto_close_days = 0;
  bool incidents = false;
  std::string language = "ja";
  std::map<std::string, std::string> templates;  // kind -> template name (templates/<name>.mustache)
  std::string source_file;

  // Added by issue 5 (rules engine):
  // Only mail with an Authentication-Results field from one of `trusted_authserv_ids`
  // saying dmarc=pass (or dkim=pass aligned with the From domain) identifies its sender.
  bool require_authenticated_sender = false;
  std::vector<std::string> trusted_authserv_ids;  // lower-case authserv-ids, e.g. "mx.example.jp"
  // The address a staff notice's keyed Reply-To is made of, support+mg-000123-<key>@…: a
  // staff member's reply to it is authenticated as theirs for that ticket (issue 13). Default
  // the first address (plus-addressing on the support mailbox); "" when the desk has `none`.
  std::string staff_reply_address;
  // Domains of the Message-IDs we generate: a mail carrying one is our own mail come back
  // (loop safety). Default: the domain of each address.
  std::vector<std::string> message_id_domains;
  bool remote_support = false;  // the desk may offer remote support (remote seed, SPEC §9)
  // Body encoding of outgoing mail: "utf-8" (base64, default), "utf-8-qp" or "iso-2022-jp"
  // for customers whose mail systems need it; a tenant's own setting wins.
  std::string mail_charset = "utf-8";
  struct RuleInfo {
    std::string id;
    std::string description;
    std::string cite;     // seed citation, e.g. "passlogic §4-10"
    Outcome outcome = Outcome::in_scope;
    std::string reason{};         // out-of-scope reason id, e.g. "onsite"
    std::string reason_ja{};      // its Japanese text for templates
    std::string template_name{};  // the rule's own template (a kind or a name), "" for the outcome's
  };
  std::vector<RuleInfo> rules;  // the desk's rules in evaluation order (for metrics, check)
};

struct Contract {
  std::string id;     // normalised (NFKC, upper-case), e.g. "LX-2025-0042"
  std::string kind;   // contract_id | maintenance_id | licence
  std::vector<std::string> desks;
  std::chrono::year_month_day valid_from{};
  std::chrono::year_month_day valid_until{};
  std::string status = "active";  // active | suspended
  std::optional<int> incidents;
};

struct Tenant {
  std::string id;
  std::string company;
  std::string tenant;
  std::vector<std::string> domains;  // lower-case
  std::vector<std::string> admins;   // lower-case addresses
  std::vector<std::string> notices;  // lower-case addresses
  std::string mail_charset;          // "" (the desk's), "utf-8", "utf-8-qp" or "iso-2022-jp"
  std::vector<Contract> contracts;
};

// The decision for one mail; everything `madoguchi classify` prints.
struct Decision {
  std::string desk;
  Identity identity = Identity::not_registered;
  std::optional<std::string> tenant;    // tenant id
  std::optional<std::string> contract;  // contract id
  Outcome outcome = Outcome::in_scope;
  Action action = Action::none;
  std::optional<std::string> rule;       // id of the deciding rule
  std::optional<std::string> reason;     // out-of-scope reason / redirect target, e.g. "onsite"
  std::vector<std::string> matched;      // words or patterns that matched
  bool auto_reply = false;               // an automatic reply would be sent
  std::optional<std::string> loop_reason;  // why an automatic reply is suppressed, e.g. "auto_submitted"
  std::string template_name;             // template of the automatic reply ("" when none)
  std::chrono::sys_seconds received_at{};
  std::chrono::sys_seconds accepted_at{};   // received_at, or the next opening (intake: business_hours)
  std::chrono::sys_seconds next_open{};
  std::chrono::sys_seconds first_response_due{};
  bool queued = false;                   // accepted later than received (desk closed)

  // Added by issue 5 (rules engine):
  std::string sender;                    // normalised sender address (rate-limit key), "" if none
  std::optional<std::string> reason_text;  // Japanese text of `reason` for templates (reason_ja)
  std::optional<std::string> cite;       // seed citation of the deciding rule
  // out_of_scope only: the refusal's template (the rule's `template`, else out_of_scope or
  // identity_<result>). With action reply it is template_name; with flag it is what staff
  // send when they confirm the refusal, while the customer gets the acknowledgement now.
  std::optional<std::string> refusal_template;
  bool language_note = false;            // no Japanese in subject/body: add the 日本語で実施 note
  // `classify --explain`: every rule evaluated, in order, and why it did or did not match.
  struct RuleTrace {
    std::string rule;      // rule id, or "builtin:<name>"
    bool matched = false;
    std::string note;      // e.g. "skipped: sender not eligible"
    std::vector<std::string> conditions;  // one line per condition, indented by depth
  };
  std::vector<RuleTrace> trace;          // filled only by decide(..., explain = true)
};

// Paths of the policy's source files.
struct PolicySources {
  std::filesystem::path desks_dir;
  std::filesystem::path tenants_file;  // empty: no tenants file
  std::filesystem::path templates_dir; // for checking that referenced templates exist
};

class Policy {
 public:
  // Loads and compiles everything; nullptr with every error in `errors` on failure.
  static std::shared_ptr<const Policy> load(const PolicySources& sources, ConfigErrors& errors);
  // As load(), from documents in memory: each desk is (file name, YAML text), the file stem
  // being its id; `tenants_yaml` may be empty. No template check. For tests and benchmarks.
  static std::shared_ptr<const Policy> from_text(
      const std::vector<std::pair<std::string, std::string>>& desks,
      std::string_view tenants_yaml, ConfigErrors& errors);

  const std::vector<Desk>& desks() const;
  const Desk* desk(std::string_view id) const;
  const std::vector<Tenant>& tenants() const;

  // The desk a mail is for: the first desk whose address is in To/Cc/Delivered-To, else
  // `default_desk` (the mailbox's), else nullptr.
  const Desk* route(const parsers::ParsedMail& mail, std::string_view default_desk) const;

  // Classifies a mail for `desk`, received at `received_at`. Pure.
  Decision decide(const parsers::ParsedMail& mail, const Desk& desk,
                  std::chrono::sys_seconds received_at) const;
  // As above; with `explain`, Decision::trace records every rule evaluated (issue 5).
  Decision decide(const parsers::ParsedMail& mail, const Desk& desk,
                  std::chrono::sys_seconds received_at, bool explain) const;

  // The business calendar of a desk (nullptr for an unknown id). Added by issue 5.
  const BusinessCalendar* calendar(std::string_view desk_id) const;

  ~Policy();
  struct Impl;

 private:
  explicit Policy(std::unique_ptr<Impl> impl);
  static std::shared_ptr<const Policy> assemble(std::unique_ptr<Impl> impl, std::vector<Tenant> tenants);
  std::unique_ptr<Impl> impl_;
};

// Stable lower_snake names used in logs, JSON and the store.
std::string_view to_string(Identity v);
std::string_view to_string(Outcome v);
std::string_view to_string(Action v);

// Lower-cases and trims an address for comparison ("Foo@Example.JP " -> "foo@example.jp").
std::string normalize_address(std::string_view address);

// True for the mail_charset spellings of the configuration.
bool valid_mail_charset(std::string_view name);

}  // namespace madoguchi::rules
