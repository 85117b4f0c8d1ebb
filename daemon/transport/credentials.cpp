// credentials.cpp — see credentials.h.
#include "daemon/transport/credentials.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace madoguchi::daemon {

std::string trim_secret(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  return std::string(text);
}

namespace {
std::optional<std::string> read_secret_file(const std::filesystem::path& path, std::string& error,
                                            const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = what + " " + path.string() + " cannot be read";
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return trim_secret(ss.str());
}
}  // namespace

CredentialResult read_credential(const CredentialSource& source,
                                 const char* (*getenv_fn)(const char*)) {
  auto env = [&](const char* name) -> const char* {
    return getenv_fn ? getenv_fn(name) : std::getenv(name);
  };
  CredentialResult r;
  const int set = !source.password_file.empty() + !source.password_env.empty() +
                  !source.password_credential.empty() + !source.xoauth2_token_file.empty();
  if (set != 1) {
    r.error = set == 0 ? "no password_file, password_env, password_credential or xoauth2_token_file"
                       : "more than one of password_file, password_env, password_credential, "
                         "xoauth2_token_file";
    return r;
  }
  Credential c;
  std::optional<std::string> secret;
  std::string what;  // the source, for the error of an empty secret
  if (!source.password_env.empty()) {
    what = "password_env " + source.password_env;
    const char* v = env(source.password_env.c_str());
    if (!v) {
      r.error = "password_env " + source.password_env + " is not set";
      return r;
    }
    secret = trim_secret(v);
  } else if (!source.password_credential.empty()) {
    const char* dir = env("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir) {
      r.error = "password_credential " + source.password_credential +
                ": $CREDENTIALS_DIRECTORY is not set (LoadCredential= in the unit)";
      return r;
    }
    if (source.password_credential.find('/') != std::string::npos) {
      r.error = "password_credential must be a credential name, not a path";
      return r;
    }
    what = "password_credential " + source.password_credential;
    secret = read_secret_file(std::filesystem::path(dir) / source.password_credential, r.error,
                              "password_credential");
  } else if (!source.password_file.empty()) {
    what = "password_file " + source.password_file;
    secret = read_secret_file(source.password_file, r.error, "password_file");
  } else {
    what = "xoauth2_token_file " + source.xoauth2_token_file;
    c.kind = Credential::Kind::xoauth2_bearer;
    secret = read_secret_file(source.xoauth2_token_file, r.error, "xoauth2_token_file");
  }
  if (!secret) return r;
  if (secret->empty()) {
    r.error = "the configured secret is empty (" + what + ")";
    return r;
  }
  c.secret = std::move(*secret);
  r.credential = std::move(c);
  return r;
}

}  // namespace madoguchi::daemon
