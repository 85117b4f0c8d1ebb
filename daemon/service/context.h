// context.h — what every service function works on: the store, the rules and templates in
// force, the clock, the settings, randomness and the tag key. Passed by reference; nothing in
// service/ is global. The runtime is swapped whole on reload (server/runtime).
#pragma once

#include "daemon/service/ticket_tags.h"
#include "daemon/store/store.h"
#include "daemon/store/tickets.h"
#include "daemon/transport/settings.h"
#include "parsers/parsed_mail.h"
#include "rules/policy.h"
#include "templates/template_set.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace madoguchi::daemon {

using Clock = std::function<std::chrono::sys_seconds()>;

// Called by the per-mail loops (intake, the stages, the outbox) after each mail, so that a
// long pass still shows life between mails (the daemon kicks the systemd watchdog with it).
using BetweenMails = std::function<void()>;

// The wall clock, to the second.
std::chrono::sys_seconds system_now();

// The configuration the stages read; swapped as a whole on reload.
struct Runtime {
  std::shared_ptr<const rules::Policy> policy;
  std::shared_ptr<const templates::TemplateSet> templates;
};

// How the outbox is delivered (smtp: section).
struct DeliveryPolicy {
  std::chrono::seconds max_age{2 * 86400};  // a 4xx is retried until the row is this old
  std::chrono::seconds lease{15 * 60};      // a claimed row is retried after this if we crash
  // Automatic mail (null sender) to an address with this many hard bounces within
  // `suppress_for` is not sent (marked failed, "suppressed …"); 0 switches it off.
  int hard_bounces_to_suppress = 3;
  std::chrono::seconds suppress_for{30 * 86400};
};

// How mail from a staff address is known to come from staff.
enum class StaffAuthentication {
  // A top Authentication-Results block of a trusted authserv-id with dmarc=pass for the
  // staff address's domain (or an aligned dkim=pass): the default.
  authentication_results,
  // The From header alone: for closed networks only; logged as a warning at every start.
  from_header,
};

struct Settings {
  std::vector<std::string> staff;           // lower-case staff addresses
  std::map<std::string, std::string> staff_names;  // lower-case address -> name
  // The customer's attachments put on a staff notice, in all; the rest are listed only.
  std::size_t staff_attachment_limit = 10u * 1024 * 1024;
  StaffAuthentication staff_authentication = StaffAuthentication::authentication_results;
  // authserv-ids of the deployment's own MTAs (a desk's own list adds to these)
  std::vector<std::string> trusted_authserv_ids;
  int auto_replies_per_hour = 3;            // per sender (SPEC.md §4)
  int staff_notices_per_hour = 10;          // staff notices caused by one sender's mail
  // Failed processing attempts of one stored mail (retried with backoff) after which it is
  // set aside as a flagged ticket with the reason.
  int message_attempts = 5;
  // How long one attempt at one mail holds it (the lease of begin_attempt): no other process
  // takes it meanwhile, and an attempt still unfinished after it is counted as ended.
  std::chrono::seconds message_time_limit{120};
  // Failed fetches of one item (a UID the server refuses) after which a stub stands in for it.
  int fetch_attempts = 3;
  std::vector<MailboxConfig> mailboxes;     // intake limits and each mailbox's default desk
  DeliveryPolicy delivery;
};

struct Context {
  Context(Store& store, Settings settings, Clock clock, TagKey tag_key)
      : store(store), settings(std::move(settings)), clock(std::move(clock)), tag_key(std::move(tag_key)) {}

  Store& store;
  Settings settings;
  Clock clock;
  TagKey tag_key;
  Runtime runtime;
  std::mt19937_64 rng{std::random_device{}()};

  std::chrono::sys_seconds now() const { return clock(); }
  const rules::Policy& policy() const { return *runtime.policy; }
  const templates::TemplateSet& templates() const { return *runtime.templates; }
  bool is_staff(const std::string& address) const;
  // The name of staff member `actor` (an address) from the `staff:` list, "" when it has none.
  std::string staff_name(std::string_view actor) const;
  // A staff address whose mail is authenticated as Settings::staff_authentication says, for
  // mail to `desk`.
  bool staff_authenticated(const parsers::ParsedMail& mail, const std::string& sender, const rules::Desk& desk) const;
  // The mailbox entry named `name`, if configured.
  const MailboxConfig* mailbox(std::string_view name) const;
  // The desk of a ticket; throws std::runtime_error when the configuration no longer has it.
  const rules::Desk& desk_of(const TicketRow& ticket) const;
  // The tenant with this id, if the directory has it.
  const rules::Tenant* tenant(const std::optional<std::string>& id) const;
};

}  // namespace madoguchi::daemon
