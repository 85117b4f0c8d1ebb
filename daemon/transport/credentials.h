// credentials.h — where an IMAP (or SMTP) secret comes from, read at each connection.
//
// madoguchi.yaml only says where a secret is: a file (password_file), an environment variable
// (password_env), a systemd credential (password_credential, read from $CREDENTIALS_DIRECTORY
// as set up by LoadCredential=), or an OAuth2 bearer token file (xoauth2_token_file) that the
// operator's token tool rewrites before the token expires — hence read again on every
// connect, never cached. Secrets are never logged: errors name the source, not the value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace madoguchi::daemon {

struct CredentialSource {
  std::string password_file;        // path, "" when unset
  std::string password_env;         // variable name
  std::string password_credential;  // systemd credential name
  std::string xoauth2_token_file;   // path
};

struct Credential {
  enum class Kind { password, xoauth2_bearer };
  Kind kind = Kind::password;
  std::string secret;
};

struct CredentialResult {
  std::optional<Credential> credential;
  std::string error;  // why not, without the secret ("password_env IMAP_PASS is not set")
};

// Reads the configured secret. Exactly one source must be set; a trailing newline (CRLF or
// LF) is removed; an empty secret is an error. `getenv` is injectable for tests.
CredentialResult read_credential(const CredentialSource& source,
                                 const char* (*getenv_fn)(const char*) = nullptr);

// The secret without the trailing line end a file or `echo` adds.
std::string trim_secret(std::string_view text);

}  // namespace madoguchi::daemon
