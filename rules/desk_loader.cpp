// desk_loader.cpp — see desk_loader.h; the schema is in rules/README.md.
#include "rules/desk_loader.h"

#include "rules/close_reasons.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace madoguchi::rules {
namespace {

std::optional<Outcome> outcome_from(std::string_view s) {
  if (s == "in_scope") return Outcome::in_scope;
  if (s == "out_of_scope") return Outcome::out_of_scope;
  if (s == "redirect") return Outcome::redirect;
  if (s == "auto_reply_received") return Outcome::auto_reply_received;
  if (s == "bounce") return Outcome::bounce;
  if (s == "follow_up") return Outcome::follow_up;
  return std::nullopt;
}

bool valid_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.';
  });
}

// "Nd" (or a bare N), 0..365 business days; nullopt (with an error if present) otherwise.
std::optional<int> business_days(ConfigReader& r, const YAML::Node& map, const char* key,
                                 bool required = false) {
  auto text = r.string(map, key, required);
  if (!text) return std::nullopt;
  std::string_view v = *text;
  if (!v.empty() && v.back() == 'd') v.remove_suffix(1);
  int days = -1;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), days);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || days < 0 || days > 365) {
    r.error(map[key], std::string("'") + key + "' must be business days, e.g. 1d");
    return std::nullopt;
  }
  return days;
}

void parse_rules(const YAML::Node& list, ConfigReader& r, CompiledDesk& cd) {
  if (!list.IsDefined() || list.IsNull()) return;
  if (!list.IsSequence()) {
    r.error(list, "'rules' must be a list");
    return;
  }
  std::set<std::string> ids;
  for (const auto& n : list) {
    if (!r.expect_map(n, "a rule")) continue;
    r.check_keys(n, {"id", "description", "cite", "when", "outcome", "action", "reason",
                     "reason_ja", "template", "senders"});
    RuleSpec rule;
    rule.id = r.string(n, "id", true).value_or("");
    if (!rule.id.empty() && !valid_id(rule.id))
      r.error(n["id"], "rule id '" + rule.id + "' may only hold letters, digits, '_', '-', '.'");
    if (!rule.id.empty() && !ids.insert(rule.id).second)
      r.error(n["id"], "rule id '" + rule.id + "' is used twice");
    rule.description = r.string(n, "description", true).value_or("");
    rule.cite = r.string(n, "cite", true).value_or("");
    if (!n["when"].IsDefined()) r.error(n, "missing required key 'when'");
    else rule.condition = cd.conditions.compile(n["when"], r);
    const std::string outcome = r.string(n, "outcome", true).value_or("in_scope");
    if (auto o = outcome_from(outcome)) {
      rule.outcome = *o;
    } else {
      r.error(n["outcome"], "unknown outcome '" + outcome + "' (expected in_scope, out_of_scope, "
                            "redirect, auto_reply_received, bounce)");
    }
    if (rule.outcome == Outcome::follow_up)
      r.error(n["outcome"], "outcome 'follow_up' is decided by threading (ticket tag, "
                            "In-Reply-To, References), not by rules");
    auto action = r.string(n, "action");
    if (rule.outcome == Outcome::out_of_scope) {
      const std::string a = action.value_or("flag");  // a wrong automatic refusal hurts
      if (a == "reply") rule.action = Action::reply;
      else if (a == "flag") rule.action = Action::flag;
      else r.error(n["action"], "'action' must be reply or flag");
    } else if (action) {
      r.error(n["action"], "'action' is only for outcome out_of_scope");
    }
    rule.reason = r.string(n, "reason").value_or(rule.outcome == Outcome::redirect ? "sales" : "");
    rule.reason_ja = r.string(n, "reason_ja").value_or("");
    if (rule.outcome == Outcome::out_of_scope && (rule.reason.empty() || rule.reason_ja.empty()))
      r.error(n, "an out_of_scope rule needs 'reason' and 'reason_ja' (the text the customer "
                 "or staff will read)");
    rule.template_name = r.string(n, "template").value_or("");
    const std::string senders =
        r.string(n, "senders")
            .value_or(rule.outcome == Outcome::in_scope || rule.outcome == Outcome::out_of_scope
                          ? "eligible"
                          : "all");
    if (senders == "eligible") rule.eligible_only = true;
    else if (senders == "all") rule.eligible_only = false;
    else r.error(n["senders"], "'senders' must be eligible or all");
    cd.desk.rules.push_back({rule.id, rule.description, rule.cite, rule.outcome, rule.reason, rule.reason_ja,
                             rule.template_name});
    cd.rules.push_back(std::move(rule));
  }
}

}  // namespace

const std::vector<std::string>& template_kinds() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> k{
      "ack_received",
      "ack_queued",
      "identity_not_registered",
      "identity_not_admin",
      "identity_contract_missing",
      "identity_contract_expired",
      "identity_contract_suspended",
      "identity_unverified_sender",
      "out_of_scope",
      "out_of_scope_custom",
      "out_of_scope_environment",
      "out_of_scope_third_party",
      "out_of_scope_work_on_behalf",
      "redirect_sales",
      // Mail the daemon sends on staff work and the ticket's life: a desk may word any of it.
      "staff_reply",
      "closed",
      "auto_close_warning",
      "auto_closed",
      "incident_consumed",
      "purchase_notice",
      "remote_consent_request",
      "announcement",
      "staff_new_ticket",
      "staff_follow_up",
      "staff_digest",
    };
    for (const auto& r : close_reasons()) k.push_back("closed_" + std::string(r.name));
    return k;
  }();
  return kinds;
}

std::optional<CompiledDesk> parse_desk(const YAML::Node& root, ConfigReader& r,
                                       const std::string& stem) {
  const std::size_t before = r.errors().size();
  CompiledDesk cd;
  Desk& d = cd.desk;
  if (!r.expect_map(root, "a desk file")) return std::nullopt;
  r.check_keys(root, {"id", "name", "addresses", "eligibility", "intake", "hours", "hours_text",
                      "first_response", "reopen_window", "incidents", "language",
                      "require_authenticated_sender", "trusted_authserv_ids", "staff_reply_address",
                      "message_id_domains", "remote_support", "auto_close", "templates", "lists",
                      "mail_charset", "rules"});
  d.source_file = r.file();
  d.id = r.string(root, "id").value_or(stem);
  if (d.id != stem) r.error(root["id"], "desk id '" + d.id + "' must equal the file name '" + stem + "'");
  d.name = r.string(root, "name", true).value_or("");
  for (const auto& a : r.string_list(root, "addresses", true)) {
    std::string n = normalize_address(a);
    if (n.find('@') == std::string::npos) r.error(root["addresses"], "'" + a + "' is not an address");
    d.addresses.push_back(n);
  }
  if (root["addresses"].IsDefined() && d.addresses.empty())
    r.error(root["addresses"], "a desk needs at least one address");
  const std::string elig = r.string(root, "eligibility", true).value_or("tenant_admin");
  if (elig == "tenant_admin") d.eligibility = Eligibility::tenant_admin;
  else if (elig == "contract_id") d.eligibility = Eligibility::contract_id;
  else if (elig == "registered_user") d.eligibility = Eligibility::registered_user;
  else r.error(root["eligibility"], "'eligibility' must be tenant_admin, contract_id or registered_user");
  const std::string intake = r.string(root, "intake", true).value_or("always");
  if (intake == "always") d.intake = Intake::always;
  else if (intake == "business_hours") d.intake = Intake::business_hours;
  else r.error(root["intake"], "'intake' must be always or business_hours");
  if (!root["hours"].IsDefined()) r.error(root, "missing required key 'hours'");
  else if (parse_calendar_spec(root["hours"], r, d.hours)) {
    try {
      cd.calendar = std::make_unique<BusinessCalendar>(d.hours);
      // decide() asks for the next opening of every mail: a calendar that never opens
      // would throw there, so it is refused here.
      cd.calendar->next_open(std::chrono::sys_days(std::chrono::year{2026} / 1 / 1));
    } catch (const std::exception& e) {
      r.error(root["hours"], std::string("invalid hours: ") + e.what());
    }
  }
  d.hours_text = r.string(root, "hours_text", true).value_or("");
  if (auto days = business_days(r, root, "first_response")) d.first_response_business_days = *days;
  // auto_close: {warn_after: Nd, close_after: Nd} — silent waiting_customer tickets (SPEC §5).
  if (YAML::Node ac = root["auto_close"]; ac.IsDefined() && !ac.IsNull() && r.expect_map(ac, "'auto_close'")) {
    r.check_keys(ac, {"warn_after", "close_after"});
    auto warn = business_days(r, ac, "warn_after", true);
    auto close = business_days(r, ac, "close_after", true);
    if (warn && close && (*warn < 1 || *close < 1))
      r.error(ac, "'auto_close' needs warn_after and close_after of at least 1d");
    else if (warn && close) {
      d.auto_close_warn_days = *warn;
      d.auto_close_days = *close;
    }
  }
  if (auto rw = r.string(root, "reopen_window")) {
    if (auto dur = parse_duration(*rw)) d.reopen_window = std::chrono::duration_cast<std::chrono::hours>(*dur);
    else r.error(root["reopen_window"], "'reopen_window' must be a duration, e.g. 30d");
  }
  d.incidents = r.boolean(root, "incidents").value_or(false);
  d.language = r.string(root, "language").value_or("ja");
  if (d.language != "ja") r.error(root["language"], "'language' must be ja (all seeds: 日本語で実施)");
  d.require_authenticated_sender = r.boolean(root, "require_authenticated_sender").value_or(false);
  for (auto& id : r.string_list(root, "trusted_authserv_ids")) d.trusted_authserv_ids.push_back(normalize_address(id));
  if (d.require_authenticated_sender && d.trusted_authserv_ids.empty())
    r.error(root["require_authenticated_sender"],
            "require_authenticated_sender needs trusted_authserv_ids (the authserv-ids of your own MTAs)");
  if (auto sra = r.string(root, "staff_reply_address")) {
    const std::string n = normalize_address(*sra);
    const auto at = n.rfind('@');
    if (n == "none") d.staff_reply_address.clear();
    else if (at == std::string::npos || at == 0 || n.find('+') < at)
      r.error(root["staff_reply_address"],
              "'staff_reply_address' must be an address without a + part (madoguchi adds it), or none");
    else d.staff_reply_address = n;
  } else if (!d.addresses.empty() && d.addresses.front().find('+') == std::string::npos) {
    d.staff_reply_address = d.addresses.front();
  }
  for (auto& m : r.string_list(root, "message_id_domains")) d.message_id_domains.push_back(normalize_address(m));
  if (d.message_id_domains.empty())
    for (const auto& a : d.addresses) d.message_id_domains.push_back(a.substr(a.rfind('@') + 1));
  d.remote_support = r.boolean(root, "remote_support").value_or(false);
  if (auto cs = r.string(root, "mail_charset")) {
    if (valid_mail_charset(*cs))
      d.mail_charset = *cs;
    else
      r.error(root["mail_charset"], "'mail_charset' must be utf-8, utf-8-qp or iso-2022-jp");
  }
  if (YAML::Node t = root["templates"]; t.IsDefined() && !t.IsNull()) {
    if (r.expect_map(t, "'templates'")) {
      for (const auto& kv : t) {
        const std::string kind = kv.first.Scalar();
        if (std::find(template_kinds().begin(), template_kinds().end(), kind) == template_kinds().end()) {
          r.error(kv.first, "unknown template kind '" + kind + "'");
          continue;
        }
        if (!kv.second.IsScalar() || !valid_id(kv.second.Scalar())) {
          r.error(kv.second, "a template name is a file name without .mustache");
          continue;
        }
        d.templates[kind] = kv.second.Scalar();
      }
    }
  }
  for (const auto& k : template_kinds()) d.templates.emplace(k, k);  // defaults
  if (YAML::Node l = root["lists"]; l.IsDefined() && !l.IsNull()) {
    if (r.expect_map(l, "'lists'"))
      for (const auto& kv : l) {
        const std::string name = kv.first.Scalar();
        YAML::Node wrap;
        wrap[name] = kv.second;
        auto words = r.string_list(wrap, name);
        if (!kv.second.IsSequence()) r.error(kv.second, "list '" + name + "' must be a list of words");
        cd.conditions.add_list(name, words, r, kv.second);
      }
  }
  parse_rules(root["rules"], r, cd);
  cd.conditions.finish();
  if (r.errors().size() != before) return std::nullopt;
  return cd;
}

std::optional<CompiledDesk> load_desk(const std::filesystem::path& file,
                                      const std::filesystem::path& templates_dir,
                                      ConfigErrors& errors) {
  ConfigReader r(file.string());
  std::optional<CompiledDesk> cd;
  if (auto root = r.load()) {
    cd = parse_desk(*root, r, file.stem().string());
    if (cd && !templates_dir.empty()) {
      auto exists = [&](const std::string& name) {
        return std::filesystem::exists(templates_dir / (name + ".mustache"));
      };
      for (const auto& [kind, name] : cd->desk.templates)
        if (!exists(name))
          r.error((*root)["templates"].IsDefined() ? (*root)["templates"] : *root,
                  "template '" + name + "' (" + kind + ") not found in " + templates_dir.string());
      YAML::Node rules = (*root)["rules"];
      for (std::size_t i = 0; i < cd->rules.size(); ++i)
        if (!cd->rules[i].template_name.empty() && !exists(cd->rules[i].template_name))
          r.error(rules[i]["template"], "template '" + cd->rules[i].template_name +
                                           "' not found in " + templates_dir.string());
      if (!r.ok()) cd.reset();
    }
  }
  for (auto& e : r.take_errors()) errors.push_back(std::move(e));
  return cd;
}

}  // namespace madoguchi::rules
