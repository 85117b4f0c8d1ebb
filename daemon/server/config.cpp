// config.cpp — see config.h.
#include "daemon/server/config.h"

#include <cstdlib>

namespace madoguchi::daemon {

using rules::ConfigReader;

std::filesystem::path default_templates_dir() {
  if (const char* env = std::getenv("MADOGUCHI_TEMPLATES"); env && *env) return env;
  return std::filesystem::path(MADOGUCHI_SOURCE_DIR) / "templates";
}

namespace {

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string path_key(ConfigReader& r, const YAML::Node& map, std::string_view key,
                     const std::filesystem::path& base) {
  auto v = r.string(map, key);
  return v ? rules::resolve_path(base, *v).string() : std::string();
}

std::chrono::seconds duration_key(ConfigReader& r, const YAML::Node& map, std::string_view key,
                                  std::chrono::seconds fallback) {
  auto v = r.string(map, key);
  if (!v) return fallback;
  auto d = rules::parse_duration(*v);
  if (!d) {
    r.error(map[std::string(key)], "'" + std::string(key) + "' must be a duration like 7d, 12h, 30m or 45s");
    return fallback;
  }
  return *d;
}

// "25M" / "25MiB" / "512K" / "1G" / "1048576" -> bytes (binary units); nullopt when invalid.
std::optional<std::size_t> parse_size(std::string s) {
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  std::size_t n = std::stoull(s.substr(0, digits));
  std::string unit = lower(s.substr(digits));
  if (unit.size() == 3 && unit.substr(1) == "ib") unit.resize(1);
  if (unit.empty() || unit == "b") return n;
  if (unit == "k") return n << 10;
  if (unit == "m") return n << 20;
  if (unit == "g") return n << 30;
  return std::nullopt;
}

void read_mailbox(ConfigReader& r, const YAML::Node& n, const std::filesystem::path& base,
                  MainConfig& cfg) {
  if (!r.expect_map(n, "a mailbox")) return;
  r.check_keys(n, {"name", "url", "user", "password_file", "password_env", "xoauth2_token_file",
                   "ca_file", "desk", "after_processing", "first_run_cutoff", "poll_interval",
                   "allow_plaintext", "password_credential", "max_message_size", "idle"});
  MailboxConfig m;
  m.name = r.string(n, "name", true).value_or("");
  m.url = r.string(n, "url", true).value_or("");
  m.user = r.string(n, "user").value_or("");
  m.password_file = path_key(r, n, "password_file", base);
  m.password_env = r.string(n, "password_env").value_or("");
  m.xoauth2_token_file = path_key(r, n, "xoauth2_token_file", base);
  m.ca_file = path_key(r, n, "ca_file", base);
  m.desk = r.string(n, "desk").value_or("");
  // A reload checks the name against the desks of the day: it reports the error here.
  if (const YAML::Node d = n["desk"]; d.IsDefined() && !d.Mark().is_null()) {
    m.desk_line = d.Mark().line + 1;
    m.desk_column = d.Mark().column + 1;
  }
  m.after_processing = r.string(n, "after_processing").value_or("seen");
  m.first_run_cutoff = duration_key(r, n, "first_run_cutoff", m.first_run_cutoff);
  m.poll_interval = duration_key(r, n, "poll_interval", m.poll_interval);
  m.allow_plaintext = r.boolean(n, "allow_plaintext").value_or(false);
  m.password_credential = r.string(n, "password_credential").value_or("");
  m.idle = r.boolean(n, "idle").value_or(true);
  if (auto v = r.string(n, "max_message_size")) {
    if (auto size = parse_size(*v); size && *size >= 1024)
      m.max_message_size = *size;
    else
      r.error(n["max_message_size"], "max_message_size must be a size like 25M, 512K or a byte count >= 1024");
  }

  if (m.url.rfind("maildir:", 0) == 0) {
    m.url = "maildir:" + rules::resolve_path(base, m.url.substr(8)).string();
  } else if (!m.url.empty() && m.url.rfind("imaps://", 0) != 0 && m.url.rfind("imap://", 0) != 0) {
    r.error(n["url"], "mailbox url must start with imaps://, imap:// or maildir:");
  }
  if (m.after_processing != "seen" &&
      (m.after_processing.rfind("move:", 0) != 0 || m.after_processing.size() == 5))
    r.error(n["after_processing"], "after_processing must be 'seen' or 'move:Folder'");
  for (const auto& other : cfg.mailboxes)
    if (other.name == m.name) r.error(n["name"], "duplicate mailbox name '" + m.name + "'");
  cfg.mailboxes.push_back(std::move(m));
}

void read_smtp(ConfigReader& r, const YAML::Node& n, const std::filesystem::path& base,
               MainConfig& cfg) {
  if (!r.expect_map(n, "smtp")) return;
  r.check_keys(n, {"url", "user", "password_file", "password_env", "password_credential",
                   "ca_file", "allow_plaintext", "max_age", "bounce_suppress_after",
                   "bounce_suppress_for"});
  SmtpConfig& s = cfg.smtp;
  s.url = r.string(n, "url", true).value_or(s.url);
  s.user = r.string(n, "user").value_or("");
  s.password_file = path_key(r, n, "password_file", base);
  s.password_env = r.string(n, "password_env").value_or("");
  s.password_credential = r.string(n, "password_credential").value_or("");
  s.ca_file = path_key(r, n, "ca_file", base);
  s.allow_plaintext = r.boolean(n, "allow_plaintext").value_or(false);
  s.max_age = duration_key(r, n, "max_age", s.max_age);
  if (auto v = r.integer(n, "bounce_suppress_after")) {
    if (*v < 0) r.error(n["bounce_suppress_after"], "bounce_suppress_after must be >= 0");
    s.bounce_suppress_after = static_cast<int>(*v);
  }
  s.bounce_suppress_for = duration_key(r, n, "bounce_suppress_for", s.bounce_suppress_for);
  if (s.url.rfind("dir:", 0) == 0) {
    s.url = "dir:" + rules::resolve_path(base, s.url.substr(4)).string();
  } else if (s.url.rfind("smtp://", 0) != 0 && s.url.rfind("smtps://", 0) != 0) {
    r.error(n["url"], "smtp url must start with smtp://, smtps:// or dir:");
  }
}

// `staff:` entries: an address, or {address, name} (the name signs staff replies and greets
// in notices: 担当：{{staff_name}}).
void read_staff(ConfigReader& r, const YAML::Node& list, MainConfig& cfg) {
  if (!list.IsSequence()) {
    r.error(list, "'staff' must be a list of addresses or {address, name} entries");
    return;
  }
  for (const auto& e : list) {
    if (e.IsScalar()) {
      cfg.staff.push_back(lower(e.as<std::string>()));
      continue;
    }
    if (!r.expect_map(e, "a staff entry")) continue;
    r.check_keys(e, {"address", "name"});
    const auto address = r.string(e, "address");
    if (!address || address->find('@') == std::string::npos) {
      r.error(e, "a staff entry needs an address");
      continue;
    }
    cfg.staff.push_back(lower(*address));
    if (auto name = r.string(e, "name"); name && !name->empty()) cfg.staff_names[lower(*address)] = *name;
  }
}

}  // namespace

std::optional<MainConfig> load_main_config(const std::filesystem::path& path,
                                           rules::ConfigErrors& errors) {
  ConfigReader r(path.string());
  auto root = r.load();
  MainConfig cfg;
  cfg.file = path;
  if (root && r.expect_map(*root, "the main configuration")) {
    const YAML::Node& n = *root;
    r.check_keys(n, {"store", "desks", "tenants", "templates", "staff", "mailboxes", "smtp",
                     "log_level", "log_personal_data", "auto_replies_per_hour", "tag_key_file",
                     "trusted_authserv_ids", "staff_authentication", "staff_notices_per_hour",
                     "message_attempts", "imap_fetch_attempts", "staff_attachment_limit", "message_time_limit"});
    cfg.store = rules::resolve_path(path, r.string(n, "store").value_or("/var/lib/madoguchi"));
    cfg.desks_dir = rules::resolve_path(path, r.string(n, "desks").value_or("desks"));
    if (auto t = r.string(n, "tenants")) cfg.tenants_file = rules::resolve_path(path, *t);
    if (auto t = r.string(n, "templates"))
      cfg.templates_dir = rules::resolve_path(path, *t);
    else
      cfg.templates_dir = default_templates_dir();
    if (n["staff"]) read_staff(r, n["staff"], cfg);
    for (auto& s : r.string_list(n, "trusted_authserv_ids")) cfg.trusted_authserv_ids.push_back(lower(s));
    if (auto v = r.string(n, "staff_authentication")) {
      if (*v == "from_header") cfg.staff_authentication_from_header = true;
      else if (*v != "authentication_results")
        r.error(n["staff_authentication"], "staff_authentication must be authentication_results or from_header");
    }
    if (n["mailboxes"]) {
      if (n["mailboxes"].IsSequence()) {
        for (const auto& m : n["mailboxes"]) read_mailbox(r, m, path, cfg);
      } else {
        r.error(n["mailboxes"], "'mailboxes' must be a list");
      }
    }
    if (n["smtp"]) read_smtp(r, n["smtp"], path, cfg);
    else cfg.smtp.url = "dir:" + rules::resolve_path(path, "outbox").string();
    if (auto t = r.string(n, "tag_key_file"))
      cfg.tag_key_file = rules::resolve_path(path, *t);
    else
      cfg.tag_key_file = cfg.store / "tag.key";
    cfg.log_level = r.string(n, "log_level").value_or("info");
    if (cfg.log_level != "trace" && cfg.log_level != "debug" && cfg.log_level != "info" &&
        cfg.log_level != "warn" && cfg.log_level != "error")
      r.error(n["log_level"], "log_level must be trace, debug, info, warn or error");
    cfg.log_personal_data = r.boolean(n, "log_personal_data").value_or(false);
    if (auto v = r.integer(n, "auto_replies_per_hour")) {
      if (*v < 0) r.error(n["auto_replies_per_hour"], "auto_replies_per_hour must be >= 0");
      cfg.auto_replies_per_hour = static_cast<int>(*v);
    }
    if (auto v = r.integer(n, "message_attempts")) {
      if (*v < 1 || *v > 100) r.error(n["message_attempts"], "message_attempts must be 1 to 100");
      else cfg.message_attempts = static_cast<int>(*v);
    }
    cfg.message_time_limit = duration_key(r, n, "message_time_limit", cfg.message_time_limit);
    if (cfg.message_time_limit < std::chrono::seconds(10))
      r.error(n["message_time_limit"], "message_time_limit must be at least 10s");
    if (auto v = r.integer(n, "imap_fetch_attempts")) {
      if (*v < 1 || *v > 100) r.error(n["imap_fetch_attempts"], "imap_fetch_attempts must be 1 to 100");
      else cfg.imap_fetch_attempts = static_cast<int>(*v);
    }
    if (auto v = r.string(n, "staff_attachment_limit")) {
      if (auto size = parse_size(*v)) cfg.staff_attachment_limit = *size;
      else r.error(n["staff_attachment_limit"], "staff_attachment_limit must be a size like 10M, 512K or a byte count");
    }
    if (auto v = r.integer(n, "staff_notices_per_hour")) {
      if (*v < 0) r.error(n["staff_notices_per_hour"], "staff_notices_per_hour must be >= 0");
      cfg.staff_notices_per_hour = static_cast<int>(*v);
    }
  }
  for (auto& e : r.take_errors()) errors.push_back(std::move(e));
  if (!errors.empty()) return std::nullopt;
  return cfg;
}

}  // namespace madoguchi::daemon
