// The SMTP password comes through the same credentials helper as IMAP (daemon/credentials.h):
// a systemd credential read from $CREDENTIALS_DIRECTORY, exactly one source, and errors that
// name the source, never the secret. smtp_options_from_config reads the real environment, so
// these tests set $CREDENTIALS_DIRECTORY (and restore it) around a temporary directory.
#include <doctest/doctest.h>

#include "daemon/server/config.h"
#include "daemon/transport/smtp_sink.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>

using namespace madoguchi::daemon;
namespace fs = std::filesystem;

namespace {

// A temporary credentials directory, set as $CREDENTIALS_DIRECTORY while it lives.
struct CredentialsDir {
  fs::path path;
  std::optional<std::string> saved;
  CredentialsDir() {
    std::random_device rd;
    path = fs::temp_directory_path() /
           ("madoguchi-creds-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000));
    fs::create_directories(path);
    if (const char* old = std::getenv("CREDENTIALS_DIRECTORY")) saved = old;
    ::setenv("CREDENTIALS_DIRECTORY", path.c_str(), 1);
  }
  ~CredentialsDir() {
    if (saved) ::setenv("CREDENTIALS_DIRECTORY", saved->c_str(), 1);
    else ::unsetenv("CREDENTIALS_DIRECTORY");
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void put(const std::string& name, const std::string& content) {
    std::ofstream(path / name, std::ios::binary) << content;
  }
};

// The message of the std::runtime_error `f` throws; "" when it throws nothing.
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return {};
}

SmtpConfig relay_config() {
  SmtpConfig c;
  c.url = "smtps://smtp.example.jp:465";
  c.user = "relay";
  return c;
}

}  // namespace

TEST_CASE("smtp credentials: password_credential is read from $CREDENTIALS_DIRECTORY, trimmed") {
  CredentialsDir creds;
  creds.put("smtp", "s3cret-pw\r\n");
  SmtpConfig c = relay_config();
  c.password_credential = "smtp";
  const SmtpOptions o = smtp_options_from_config(c);
  CHECK(o.password == "s3cret-pw");
  CHECK(o.user == "relay");
  CHECK(o.url == "smtps://smtp.example.jp:465");
}

TEST_CASE("smtp credentials: password_file and password_env still work, no source means no password") {
  CredentialsDir creds;  // only for its temporary directory
  creds.put("pw-file", "from-file\n");
  SmtpConfig c = relay_config();
  c.password_file = (creds.path / "pw-file").string();
  CHECK(smtp_options_from_config(c).password == "from-file");

  ::setenv("MADOGUCHI_TEST_SMTP_PW", "from-env", 1);
  SmtpConfig e = relay_config();
  e.password_env = "MADOGUCHI_TEST_SMTP_PW";
  CHECK(smtp_options_from_config(e).password == "from-env");
  ::unsetenv("MADOGUCHI_TEST_SMTP_PW");

  CHECK(smtp_options_from_config(relay_config()).password.empty());
}

TEST_CASE("smtp credentials: errors name the source and never the secret") {
  CredentialsDir creds;
  creds.put("smtp", "s3cret-pw\n");
  creds.put("empty", "\n");

  SUBCASE("two sources at once are an error") {
    SmtpConfig c = relay_config();
    c.password_credential = "smtp";
    c.password_file = (creds.path / "smtp").string();
    const std::string err = error_of([&] { smtp_options_from_config(c); });
    CAPTURE(err);
    CHECK(err.find("more than one") != std::string::npos);
    CHECK(err.find("password_credential") != std::string::npos);
    CHECK(err.find("s3cret-pw") == std::string::npos);
  }
  SUBCASE("a credential that systemd did not provide") {
    SmtpConfig c = relay_config();
    c.password_credential = "missing";
    const std::string err = error_of([&] { smtp_options_from_config(c); });
    CAPTURE(err);
    CHECK(err.rfind("smtp: ", 0) == 0);
    CHECK(err.find("password_credential") != std::string::npos);
  }
  SUBCASE("an empty credential names it") {
    SmtpConfig c = relay_config();
    c.password_credential = "empty";
    const std::string err = error_of([&] { smtp_options_from_config(c); });
    CAPTURE(err);
    CHECK(err.find("password_credential empty") != std::string::npos);
  }
  SUBCASE("a path instead of a credential name is refused") {
    SmtpConfig c = relay_config();
    c.password_credential = "../smtp";
    const std::string err = error_of([&] { smtp_options_from_config(c); });
    CAPTURE(err);
    CHECK(err.find("credential name") != std::string::npos);
  }
  SUBCASE("without $CREDENTIALS_DIRECTORY (no LoadCredential=)") {
    ::unsetenv("CREDENTIALS_DIRECTORY");
    SmtpConfig c = relay_config();
    c.password_credential = "smtp";
    const std::string err = error_of([&] { smtp_options_from_config(c); });
    CAPTURE(err);
    CHECK(err.find("CREDENTIALS_DIRECTORY") != std::string::npos);
  }
  SUBCASE("a password_env that is not set") {
    ::unsetenv("MADOGUCHI_TEST_SMTP_NOPE");
    SmtpConfig c = relay_config();
    c.password_env = "MADOGUCHI_TEST_SMTP_NOPE";
    CHECK(error_of([&] { smtp_options_from_config(c); }) ==
          "smtp: password_env MADOGUCHI_TEST_SMTP_NOPE is not set");
  }
}

TEST_CASE("smtp credentials: madoguchi.yaml accepts smtp.password_credential") {
  CredentialsDir creds;  // only for its temporary directory
  std::ofstream(creds.path / "madoguchi.yaml")
      << "store: store\nsmtp:\n  url: smtps://smtp.example.jp:465\n  user: relay\n"
      << "  password_credential: smtp\n";
  madoguchi::rules::ConfigErrors errors;
  const auto cfg = load_main_config(creds.path / "madoguchi.yaml", errors);
  for (const auto& e : errors) FAIL(e.to_string());
  REQUIRE(cfg);
  CHECK(cfg->smtp.password_credential == "smtp");
  CHECK(cfg->smtp.password_file.empty());
}
