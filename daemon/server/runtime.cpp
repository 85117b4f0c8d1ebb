// runtime.cpp — see runtime.h.
#include "daemon/server/runtime.h"

#include "templates/variables.h"

namespace madoguchi::daemon {

std::shared_ptr<const rules::Policy> load_policy(const MainConfig& config, rules::ConfigErrors& errors,
                                                 const std::filesystem::path& tenants_override) {
  rules::PolicySources sources{config.desks_dir, config.tenants_file, config.templates_dir};
  if (!tenants_override.empty()) sources.tenants_file = tenants_override;
  return rules::Policy::load(sources, errors);
}

std::optional<Runtime> load_runtime(const MainConfig& config, rules::ConfigErrors& errors,
                                    const std::filesystem::path& tenants_override) {
  Runtime rt;
  rt.policy = load_policy(config, errors, tenants_override);
  std::vector<std::string> overrides;
  if (rt.policy) {
    for (const auto& desk : rt.policy->desks())
      for (const auto& [kind, name] : desk.templates) overrides.push_back(name);
    for (const auto& m : config.mailboxes)
      if (!m.desk.empty() && !rt.policy->desk(m.desk))
        errors.push_back({config.file.string(), m.desk_line, m.desk_column, "mailbox '" + m.name + "': unknown desk '" + m.desk + "'"});
  }
  // Every template renders with sample values and names only known variables; every
  // template a desk refers to exists. A reload with a broken template is refused.
  for (auto& e : templates::check_templates(config.templates_dir, overrides)) errors.push_back(std::move(e));
  rt.templates = templates::TemplateSet::load(config.templates_dir, errors);
  if (!rt.policy || !rt.templates || !errors.empty()) return std::nullopt;
  return rt;
}

Settings settings_of(const MainConfig& config) {
  Settings s;
  s.staff = config.staff;
  s.staff_names = config.staff_names;
  s.staff_attachment_limit = config.staff_attachment_limit;
  s.trusted_authserv_ids = config.trusted_authserv_ids;
  s.staff_authentication = config.staff_authentication_from_header ? StaffAuthentication::from_header
                                                                   : StaffAuthentication::authentication_results;
  s.auto_replies_per_hour = config.auto_replies_per_hour;
  s.staff_notices_per_hour = config.staff_notices_per_hour;
  s.message_attempts = config.message_attempts;
  s.message_time_limit = config.message_time_limit;
  s.fetch_attempts = config.imap_fetch_attempts;
  s.mailboxes = config.mailboxes;
  s.delivery.max_age = config.smtp.max_age;
  s.delivery.hard_bounces_to_suppress = config.smtp.bounce_suppress_after;
  s.delivery.suppress_for = config.smtp.bounce_suppress_for;
  return s;
}

std::unique_ptr<Session> open_session(const MainConfig& config, Clock clock, std::optional<Runtime> runtime) {
  auto s = std::make_unique<Session>();
  s->config = config;
  s->store = std::make_unique<Store>(config.store);
  const auto key_file = config.tag_key_file.empty() ? s->store->dir() / "tag.key" : config.tag_key_file;
  s->ctx = std::make_unique<Context>(*s->store, settings_of(config), std::move(clock), TagKey::load_or_create(key_file));
  if (runtime) s->ctx->runtime = std::move(*runtime);
  return s;
}

}  // namespace madoguchi::daemon
