// policy.cpp — Policy::load (desks, tenants, compile) and Policy::decide (loop safety,
// identity, rules, schedule). See policy.h for the contract and rules/README.md for the
// order of evaluation.
#include "rules/policy.h"

#include "rules/desk_loader.h"
#include "rules/identity.h"
#include "rules/loop_safety.h"
#include "rules/tenants.h"
#include "rules/text_normalize.h"

#include <algorithm>
#include <set>

namespace madoguchi::rules {

struct Policy::Impl {
  std::vector<CompiledDesk> compiled;
  std::vector<Desk> desks;  // copies of compiled[i].desk, for desks()
  TenantDirectory directory;
  std::vector<std::string> own_domains;  // Message-ID domains of every desk
};

Policy::Policy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Policy::~Policy() = default;

std::string_view to_string(Identity v) {
  switch (v) {
    case Identity::eligible: return "eligible";
    case Identity::not_registered: return "not_registered";
    case Identity::not_admin: return "not_admin";
    case Identity::contract_missing: return "contract_missing";
    case Identity::contract_expired: return "contract_expired";
    case Identity::contract_suspended: return "contract_suspended";
    case Identity::unverified_sender: return "unverified_sender";
  }
  return "unknown";
}

std::string_view to_string(Outcome v) {
  switch (v) {
    case Outcome::in_scope: return "in_scope";
    case Outcome::out_of_scope: return "out_of_scope";
    case Outcome::redirect: return "redirect";
    case Outcome::auto_reply_received: return "auto_reply_received";
    case Outcome::bounce: return "bounce";
    case Outcome::follow_up: return "follow_up";
  }
  return "unknown";
}

std::string_view to_string(Action v) {
  switch (v) {
    case Action::none: return "none";
    case Action::reply: return "reply";
    case Action::flag: return "flag";
  }
  return "unknown";
}

bool valid_mail_charset(std::string_view name) {
  return name == "utf-8" || name == "utf-8-qp" || name == "iso-2022-jp";
}

std::string normalize_address(std::string_view address) {
  std::string a = ascii_lower_trim(address);
  if (a.size() >= 2 && a.front() == '<' && a.back() == '>')
    a = ascii_lower_trim(std::string_view(a).substr(1, a.size() - 2));
  return a;
}

namespace {

// Checks the desks against each other and wraps them with the tenants into a Policy::Impl.
void add_desk(std::vector<CompiledDesk>& compiled, CompiledDesk cd, const std::string& file,
              std::map<std::string, std::string>& address_owner, ConfigErrors& errors) {
  for (const auto& other : compiled)
    if (other.desk.id == cd.desk.id)
      errors.push_back({file, 0, 0, "desk id '" + cd.desk.id + "' also in " + other.desk.source_file});
  for (const auto& a : cd.desk.addresses) {
    auto [it, fresh] = address_owner.emplace(a, cd.desk.id);
    if (!fresh) errors.push_back({file, 0, 0, "address " + a + " is also desk '" + it->second + "'"});
  }
  const std::string& sra = cd.desk.staff_reply_address;
  if (!sra.empty() && std::find(cd.desk.addresses.begin(), cd.desk.addresses.end(), sra) == cd.desk.addresses.end()) {
    auto [it, fresh] = address_owner.emplace(sra, cd.desk.id);
    if (!fresh)
      errors.push_back({file, 0, 0, "staff_reply_address " + sra + " is also an address of desk '" + it->second + "'"});
  }
  compiled.push_back(std::move(cd));
}

std::vector<std::string> desk_ids(const std::vector<CompiledDesk>& compiled) {
  std::vector<std::string> ids;
  for (const auto& cd : compiled) ids.push_back(cd.desk.id);
  return ids;
}

}  // namespace

std::shared_ptr<const Policy> Policy::assemble(std::unique_ptr<Impl> impl, std::vector<Tenant> tenants) {
  impl->directory = TenantDirectory(std::move(tenants));
  for (const auto& cd : impl->compiled) {
    impl->desks.push_back(cd.desk);
    for (const auto& d : cd.desk.message_id_domains) impl->own_domains.push_back(d);
  }
  return std::shared_ptr<const Policy>(new Policy(std::move(impl)));
}

std::shared_ptr<const Policy> Policy::load(const PolicySources& sources, ConfigErrors& errors) {
  auto impl = std::make_unique<Impl>();
  const std::size_t before = errors.size();
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  if (!std::filesystem::is_directory(sources.desks_dir, ec)) {
    errors.push_back({sources.desks_dir.string(), 0, 0, "desks directory not found"});
  } else {
    for (const auto& e : std::filesystem::directory_iterator(sources.desks_dir, ec))
      if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml"))
        files.push_back(e.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) errors.push_back({sources.desks_dir.string(), 0, 0, "no desk files (*.yaml)"});
  }
  std::map<std::string, std::string> address_owner;
  for (const auto& f : files)
    if (auto cd = load_desk(f, sources.templates_dir, errors))
      add_desk(impl->compiled, std::move(*cd), f.string(), address_owner, errors);
  const auto ids = desk_ids(impl->compiled);
  std::vector<Tenant> tenants;
  if (!sources.tenants_file.empty())
    tenants = load_tenants(sources.tenants_file, errors, files.empty() ? nullptr : &ids);
  if (errors.size() != before) return nullptr;
  return assemble(std::move(impl), std::move(tenants));
}

std::shared_ptr<const Policy> Policy::from_text(
    const std::vector<std::pair<std::string, std::string>>& desks, std::string_view tenants_yaml,
    ConfigErrors& errors) {
  auto impl = std::make_unique<Impl>();
  const std::size_t before = errors.size();
  std::map<std::string, std::string> address_owner;
  for (const auto& [file, text] : desks) {
    ConfigReader r(file);
    if (auto root = r.parse(text))
      if (auto cd = parse_desk(*root, r, std::filesystem::path(file).stem().string()))
        add_desk(impl->compiled, std::move(*cd), file, address_owner, errors);
    for (auto& e : r.take_errors()) errors.push_back(std::move(e));
  }
  const auto ids = desk_ids(impl->compiled);
  std::vector<Tenant> tenants;
  if (!tenants_yaml.empty()) {
    ConfigReader r("tenants.yaml");
    if (auto root = r.parse(tenants_yaml)) tenants = parse_tenants(*root, r, &ids);
    for (auto& e : r.take_errors()) errors.push_back(std::move(e));
  }
  if (errors.size() != before) return nullptr;
  return assemble(std::move(impl), std::move(tenants));
}

const std::vector<Desk>& Policy::desks() const { return impl_->desks; }

const Desk* Policy::desk(std::string_view id) const {
  for (const auto& d : impl_->desks)
    if (d.id == id) return &d;
  return nullptr;
}

const std::vector<Tenant>& Policy::tenants() const { return impl_->directory.tenants(); }

const BusinessCalendar* Policy::calendar(std::string_view desk_id) const {
  for (const auto& cd : impl_->compiled)
    if (cd.desk.id == desk_id) return cd.calendar.get();
  return nullptr;
}

const Desk* Policy::route(const parsers::ParsedMail& mail, std::string_view default_desk) const {
  // A desk's own address, or it with a + part (plus-addressing: the keyed reply address of a
  // staff notice, support+mg-000123-…@), or its staff_reply_address with one.
  auto owns = [](const Desk& d, const std::string& n) {
    if (std::find(d.addresses.begin(), d.addresses.end(), n) != d.addresses.end()) return true;
    const auto at = n.rfind('@');
    const auto plus = n.find('+');
    if (at == std::string::npos || plus == std::string::npos || plus > at) return false;
    const std::string base = n.substr(0, plus) + n.substr(at);
    return std::find(d.addresses.begin(), d.addresses.end(), base) != d.addresses.end() ||
           (!d.staff_reply_address.empty() && base == d.staff_reply_address);
  };
  auto find = [&](const std::vector<parsers::Address>& list) -> const Desk* {
    for (const auto& a : list) {
      const std::string n = normalize_address(a.address);
      for (const auto& d : impl_->desks)
        if (owns(d, n)) return &d;
    }
    return nullptr;
  };
  for (const auto* list : {&mail.to, &mail.cc, &mail.delivered_to})
    if (const Desk* d = find(*list)) return d;
  return default_desk.empty() ? nullptr : desk(default_desk);
}

Decision Policy::decide(const parsers::ParsedMail& mail, const Desk& desk,
                        std::chrono::sys_seconds received_at) const {
  return decide(mail, desk, received_at, false);
}

namespace {

// Japanese reason text of the built-in identity outcomes (templates may show it).
std::string identity_reason_ja(Identity id) {
  switch (id) {
    case Identity::not_registered: return "ご登録のないメールアドレスからのお問い合わせ";
    case Identity::not_admin: return "ご登録の管理者様以外の方からのお問い合わせ";
    case Identity::contract_missing: return "有効な保守ID・契約IDを確認できないお問い合わせ";
    case Identity::contract_expired: return "ご契約の有効期間外のお問い合わせ";
    case Identity::contract_suspended: return "ご契約が停止中のためお受けできないお問い合わせ";
    case Identity::unverified_sender: return "送信元を確認できないメールからのお問い合わせ";
    case Identity::eligible: return "";
  }
  return "";
}

}  // namespace

Decision Policy::decide(const parsers::ParsedMail& mail, const Desk& desk,
                        std::chrono::sys_seconds received_at, bool explain) const {
  Decision d;
  d.desk = desk.id;
  d.received_at = received_at;
  const CompiledDesk* cd = nullptr;
  for (const auto& c : impl_->compiled)
    if (c.desk.id == desk.id) cd = &c;

  // Schedule.
  const BusinessCalendar* cal = cd ? cd->calendar.get() : nullptr;
  std::optional<BusinessCalendar> own;
  if (!cal) cal = &own.emplace(desk.hours);  // a Desk not loaded by this policy (tests)
  d.next_open = cal->next_open(received_at);
  d.accepted_at = desk.intake == Intake::business_hours ? d.next_open : received_at;
  d.queued = d.accepted_at > received_at;
  d.first_response_due = cal->add_business_days(d.accepted_at, desk.first_response_business_days);

  // Identity.
  const IdentityResult who = identify(mail, desk, impl_->directory, received_at);
  d.identity = who.identity;
  d.sender = who.sender;
  if (who.tenant) d.tenant = who.tenant->id;
  if (who.contract) d.contract = who.contract->id;
  if (explain)
    d.trace.push_back({"builtin:identity", who.identity != Identity::eligible,
                       std::string(to_string(who.identity)) + ": " + who.detail, {}});

  const auto loop = loop_reason(mail, impl_->own_domains);
  std::string template_kind;    // the identity refusal's kind (identity_<result>)
  std::string template_direct;  // the deciding rule's `template`
  bool decided = false;

  // Built-in outcomes that no rule may change.
  if (is_bounce(mail)) {
    d.outcome = Outcome::bounce;
    d.rule = "builtin:dsn";
    decided = true;
  } else if (is_auto_reply(mail)) {
    d.outcome = Outcome::auto_reply_received;
    d.rule = "builtin:auto_reply";
    decided = true;
  }
  if (explain) {
    d.trace.push_back({"builtin:dsn", d.rule == "builtin:dsn", "delivery status notification", {}});
    if (d.rule != "builtin:dsn")
      d.trace.push_back({"builtin:auto_reply", d.rule == "builtin:auto_reply", "RFC 3834 auto-reply", {}});
  }

  // The desk's rules, first match wins.
  if (!decided && cd) {
    const MatchInput in = cd->conditions.prepare(mail, to_string(who.identity), desk.id);
    for (const RuleSpec& rule : cd->rules) {
      if (rule.eligible_only && who.identity != Identity::eligible) {
        if (explain) d.trace.push_back({rule.id, false, "skipped: sender not eligible", {}});
        continue;
      }
      std::vector<std::string> matched;
      std::vector<ConditionTrace> lines;
      const bool hit = cd->conditions.evaluate(rule.condition, in, matched, explain ? &lines : nullptr);
      if (explain) {
        Decision::RuleTrace t{rule.id, hit, rule.description, {}};
        for (const auto& l : lines)
          t.conditions.push_back(std::string(static_cast<std::size_t>(l.depth) * 2, ' ') +
                                 (l.matched ? "+ " : "- ") + l.text);
        d.trace.push_back(std::move(t));
      }
      if (!hit) continue;
      decided = true;
      d.outcome = rule.outcome;
      d.action = rule.action;
      d.rule = rule.id;
      if (!rule.cite.empty()) d.cite = rule.cite;
      if (!rule.reason.empty()) d.reason = rule.reason;
      if (!rule.reason_ja.empty()) d.reason_text = rule.reason_ja;
      d.matched = std::move(matched);
      template_direct = rule.template_name;
      break;
    }
  }

  // Not eligible and no rule for it: the identity's own refusal.
  if (!decided && who.identity != Identity::eligible) {
    decided = true;
    d.outcome = Outcome::out_of_scope;
    d.action = Action::reply;
    d.rule = "builtin:identity";
    d.reason = "identity_" + std::string(to_string(who.identity));
    d.reason_text = identity_reason_ja(who.identity);
    template_kind = *d.reason;
  }

  // Kinds map through the desk's `templates:`; a rule's template naming a kind does too.
  auto resolve = [&](const std::string& name) {
    auto it = desk.templates.find(name);
    return it != desk.templates.end() ? it->second : name;
  };
  const std::string ack = d.queued ? "ack_queued" : "ack_received";
  std::string name;
  switch (d.outcome) {
    case Outcome::in_scope:
      name = resolve(template_direct.empty() ? ack : template_direct);
      break;
    case Outcome::out_of_scope:
      d.refusal_template = resolve(!template_direct.empty() ? template_direct
                                   : !template_kind.empty() ? template_kind
                                                            : "out_of_scope");
      name = d.action == Action::flag ? resolve(ack) : *d.refusal_template;
      break;
    case Outcome::redirect:
      name = resolve(template_direct.empty() ? "redirect_sales" : template_direct);
      break;
    case Outcome::auto_reply_received:
    case Outcome::bounce:
    case Outcome::follow_up:
      break;
  }
  if (loop) {
    d.loop_reason = *loop;
    name.clear();
  }
  d.template_name = name;
  d.auto_reply = !name.empty();
  d.language_note = d.auto_reply && !has_japanese(mail.subject) && !has_japanese(mail.text);
  if (explain && loop) d.trace.push_back({"builtin:loop_safety", true, "no automatic reply: " + *loop, {}});
  return d;
}

}  // namespace madoguchi::rules
