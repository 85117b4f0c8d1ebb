// deployment.h — integration-test helpers: a deployment in a temp dir (the shipped desks
// and templates, the demo tenants, one Maildir, a directory sink), mails to put in it, and
// counting queries against its real SQLite store.
#pragma once

#include "daemon/server/config.h"
#include "daemon/server/runtime.h"
#include "daemon/server/factories.h"
#include "daemon/service/bounces.h"
#include "daemon/service/intake.h"
#include "daemon/service/stages.h"
#include "daemon/service/staff_work.h"
#include "daemon/store/store.h"
#include "store_helpers.h"
#include "daemon/store/mailboxes.h"
#include "daemon/store/spool.h"
#include "daemon/store/messages.h"
#include "daemon/store/tickets.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>
#include <string>

namespace madoguchi::testing {

namespace fs = std::filesystem;
using namespace madoguchi::daemon;
using std::chrono::sys_seconds;

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("madoguchi-test-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

inline sys_seconds at(int y, unsigned m, unsigned d, int hour_jst, int minute = 0) {
  using namespace std::chrono;
  return time_point_cast<seconds>(sys_days{year{y} / m / d} + hours(hour_jst - 9) + minutes(minute));
}

// Loads a main configuration and its desks, tenants and templates; any error fails the test.
inline void load_deployment(const fs::path& yaml, MainConfig& config, Runtime& runtime) {
  madoguchi::rules::ConfigErrors errors;
  auto cfg = load_main_config(yaml, errors);
  for (const auto& e : errors) FAIL(e.to_string());
  REQUIRE(cfg);
  config = *cfg;
  auto rt = load_runtime(config, errors);
  for (const auto& e : errors) FAIL(e.to_string());
  REQUIRE(rt);
  runtime = *rt;
}

// The demo tenants (config/demo/tenants.yaml) written to `to` with every contract's
// valid_from and valid_until set to the given dates (YYYY-MM-DD). The shipped file's dates
// suit the demo when it was written; a test that decides identity at a clock it does not fix
// (the wall clock, or the arrival time a server stamps) must not depend on the day it runs.
// Fails the test if the file holds no date in the expected form, so a reformatted demo file
// cannot silently keep the old windows.
inline fs::path demo_tenants_valid_between(const fs::path& to, const std::string& from, const std::string& until) {
  std::ifstream in(fs::path(MADOGUCHI_SOURCE_DIR) / "config/demo/tenants.yaml");
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::regex field(R"((valid_from|valid_until):[ \t]*\d{4}-\d{2}-\d{2})");
  std::string out;
  int replaced = 0;
  auto last = text.cbegin();
  for (std::sregex_iterator it(text.begin(), text.end(), field), end; it != end; ++it, ++replaced) {
    out.append(last, (*it)[0].first);
    out += (*it)[1].str() + ": " + ((*it)[1] == "valid_from" ? from : until);
    last = (*it)[0].second;
  }
  out.append(last, text.cend());
  std::size_t mentions = 0;
  for (const char* key : {"valid_from", "valid_until"})
    for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) ++mentions;
  REQUIRE(replaced > 0);
  REQUIRE(static_cast<std::size_t>(replaced) == mentions);
  std::ofstream(to, std::ios::trunc) << out;
  return to;
}

// Every contract valid from a year before `now` to a year after it (Asia/Tokyo dates, which
// the contracts use).
inline fs::path demo_tenants_valid_around(const fs::path& to, sys_seconds now) {
  using namespace std::chrono;
  const auto date = [](sys_days d) {
    const year_month_day ymd{d};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return std::string(buf);
  };
  const sys_days today_jst = floor<days>(now + hours(9));
  return demo_tenants_valid_between(to, date(today_jst - days(365)), date(today_jst + days(365)));
}

// The demo tenants valid from 2000 to 2099, for tests where mail reaches Dovecot while the
// daemon runs: it arrives at the kernel's clock, which differs from the processes' under the
// faked clock of scripts/test-future-clock.sh, and identity is decided at the arrival time.
inline fs::path demo_tenants_valid_always(const fs::path& to) {
  return demo_tenants_valid_between(to, "2000-01-01", "2099-12-31");
}

inline sys_seconds wall_clock_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

// A deployment in a temp dir: the shipped desks and templates, the demo tenants, one Maildir.
struct Deployment {
  TempDir dir;
  fs::path maildir;
  MainConfig config;
  Runtime runtime;
  explicit Deployment(const std::string& cutoff = "36500d", int per_hour = 3,
                      const std::string& extra_yaml = "") {
    maildir = dir.path / "Maildir";
    for (const char* sub : {"new", "cur", "tmp"}) fs::create_directories(maildir / sub);
    const fs::path src(MADOGUCHI_SOURCE_DIR);
    std::ofstream(dir.path / "madoguchi.yaml")
        << "store: store\n"
        << "desks: " << (src / "config/desks").string() << "\n"
        << "tenants: " << (src / "config/demo/tenants.yaml").string() << "\n"
        << "templates: " << (src / "templates").string() << "\n"
        << "auto_replies_per_hour: " << per_hour << "\n"
        << "mailboxes:\n  - name: main\n    url: maildir:Maildir\n    desk: passlogic-cloud\n"
        << "    first_run_cutoff: " << cutoff << "\n"
        << "smtp:\n  url: dir:sent\n" << extra_yaml;
    load_deployment(dir.path / "madoguchi.yaml", config, runtime);
  }
  void add_mail(const std::string& name, const std::string& raw, sys_seconds arrived) {
    const fs::path p = maildir / "new" / name;
    std::ofstream(p, std::ios::binary) << raw;
    fs::last_write_time(p, std::chrono::file_clock::from_sys(arrived));
  }
};

// A service context over `store` with the deployment's settings and runtime, and the clock.
inline Context make_context(Store& store, const MainConfig& config, Clock clock, const Runtime& runtime) {
  Context ctx(store, settings_of(config), std::move(clock), TagKey::load_or_create(store.dir() / "tag.key"));
  ctx.runtime = runtime;
  return ctx;
}

// `madoguchi ticket close N --reason resolved` as the CLI does it.
inline StaffActionResult::Code close_ticket(Context& ctx, const std::string& number) {
  StaffAction a;
  a.kind = StaffActionKind::close;
  a.ticket = number;
  a.reason = madoguchi::rules::CloseReason::resolved;
  a.actor = "cli:test";
  return run_staff_action(ctx, a).code;
}

inline std::string mail(const std::string& from, const std::string& subject, const std::string& msgid,
                 const std::string& extra = "") {
  return "From: " + from + "\r\nTo: support@passlogic-cloud.example.jp\r\nSubject: " + subject +
         "\r\nMessage-ID: <" + msgid + ">\r\n" + extra +
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
         "管理画面の操作について教えてください。\r\n";
}

inline long long count(Store& store, const std::string& sql) {
  SQLite::Statement q(store.db(), sql);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

}  // namespace madoguchi::testing
