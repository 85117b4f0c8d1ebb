// pipeline.h — the stage runner: intake from a MailSource into the store, then each stored
// message through parse -> classify -> ticket, one transaction per step (STYLE.md "Stages
// and states"). Every step can be retried: a crash between steps resumes at the state
// committed last, and the intake checkpoint makes a re-fetched mail a duplicate, not a new one.
//
// The pure stages (parse_mail, Policy::decide, rendering) are called from here; this file
// holds only the wiring and the SQL of the transitions. The clock is injected.
#pragma once

#include "daemon/config.h"
#include "daemon/mail_source.h"
#include "daemon/store.h"
#include "rules/policy.h"
#include "templates/template_set.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace madoguchi::daemon {

using Clock = std::function<std::chrono::sys_seconds()>;

// The configuration the stages read; swapped as a whole on reload.
struct Runtime {
  std::shared_ptr<const rules::Policy> policy;
  std::shared_ptr<const templates::TemplateSet> templates;
};

// What happened to one message, for the `run --once` summary and the tests.
struct ProcessedMail {
  std::int64_t message = 0;
  std::string mailbox;
  std::string subject;
  std::string sender;    // masked unless logging personal data is on
  std::string desk;
  std::string identity;
  std::string outcome;
  std::string rule;
  std::string ticket;    // "MG-000123", "" when none
  std::string action;    // new_ticket | follow_up | auto_reply_ignored | bounce | staff_mail | failed
  std::string reply;     // template of the automatic reply queued, "" when none
  std::string note;      // why no reply (loop_reason, rate limit, first run), or the error
};

class Pipeline {
 public:
  Pipeline(Store& store, MainConfig config, Clock clock);

  void set_runtime(Runtime runtime);
  const Runtime& runtime() const { return runtime_; }
  const MainConfig& config() const { return config_; }

  // Stores every pending item of `source` and marks it processed at the source only after
  // the commit. Returns the number of new messages. Throws SourceError when the source fails.
  int intake(MailSource& source, const MailboxConfig& mailbox);

  // Runs every message that is not yet ticketed (or failed) through the remaining stages.
  std::vector<ProcessedMail> process_pending();

 private:
  ProcessedMail process(std::int64_t message_id);

  Store& store_;
  MainConfig config_;
  Clock clock_;
  Runtime runtime_;
};

}  // namespace madoguchi::daemon
