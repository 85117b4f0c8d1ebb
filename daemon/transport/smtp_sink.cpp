// smtp_sink.cpp — see smtp_sink.h.
#include "daemon/transport/smtp_sink.h"

#include "daemon/transport/credentials.h"
#include "daemon/transport/smtp_replies.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace madoguchi::daemon {
namespace {

// The password, through the same helper as IMAP (daemon/credentials.h). No source configured
// = no password (AUTH only happens with a user). Errors name the source, never the secret.
std::string read_secret(const SmtpConfig& c) {
  if (c.password_file.empty() && c.password_env.empty() && c.password_credential.empty())
    return {};
  const CredentialResult r =
      read_credential({c.password_file, c.password_env, c.password_credential, ""});
  if (!r.credential) throw std::runtime_error("smtp: " + r.error);
  return r.credential->secret;
}

struct Upload {
  std::string_view data;
  std::size_t pos = 0;
};

std::size_t read_cb(char* buf, std::size_t size, std::size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  const std::size_t len = std::min(size * n, u->data.size() - u->pos);
  std::memcpy(buf, u->data.data() + u->pos, len);
  u->pos += len;
  return len;
}

// The dialogue as libcurl's debug callback shows it. From the server (CURLINFO_HEADER_IN):
// the last line, and the last refusal (4xx/5xx), because after a refusal libcurl closes the
// session and "221 Bye" comes last. From us (CURLINFO_HEADER_OUT): only the verb of each
// command, to know the stage a refusal answers (libcurl's return code does not tell MAIL
// from RCPT, nor a refused greeting from a refused end of data). Our AUTH line passes
// through command_stage, which looks at its first word; nothing of it is kept.
struct Replies {
  std::string last;
  std::string last_refusal;
  SmtpStage stage = SmtpStage::connect;  // the greeting comes before any command
  SmtpStage refusal_stage = SmtpStage::none;
};

std::string_view last_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  const auto nl = text.rfind('\n');
  if (nl != std::string_view::npos) text.remove_prefix(nl + 1);
  return text;
}

int debug_cb(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  auto* replies = static_cast<Replies*>(user);
  if (type == CURLINFO_HEADER_OUT) {
    if (const auto stage = command_stage(std::string_view(data, size))) replies->stage = *stage;
    return 0;
  }
  if (type != CURLINFO_HEADER_IN) return 0;
  const std::string_view text = last_line(std::string_view(data, size));
  if (text.empty()) return 0;
  replies->last.assign(text.substr(0, 300));
  if (text[0] == '3' && replies->stage == SmtpStage::data) replies->stage = SmtpStage::end_of_data;  // 354
  if (text[0] == '4' || text[0] == '5') {
    replies->last_refusal = replies->last;
    replies->refusal_stage = replies->stage;
  }
  return 0;
}

}  // namespace

SmtpOptions smtp_options_from_config(const SmtpConfig& c) {
  SmtpOptions o;
  o.url = c.url;
  o.user = c.user;
  o.password = read_secret(c);
  o.ca_file = c.ca_file;
  o.allow_plaintext = c.allow_plaintext;
  return o;
}

SmtpSink::SmtpSink(SmtpOptions options) : options_(std::move(options)) {
  if (options_.url.rfind("smtp://", 0) != 0 && options_.url.rfind("smtps://", 0) != 0)
    throw std::invalid_argument("smtp url must start with smtp:// or smtps://");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  curl_ = curl_easy_init();
  if (!curl_) throw std::runtime_error("curl_easy_init failed");
}

SmtpSink::~SmtpSink() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

SendResult SmtpSink::send(const Envelope& envelope, std::string_view raw, std::string_view) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);  // keeps the connection cache: the next message reuses the session
  char errbuf[CURL_ERROR_SIZE] = {};
  Replies replies;
  Upload up{raw};
  // "" is the null sender: libcurl sends MAIL FROM:<> (RFC 3834 automatic replies).
  const std::string from = envelope.from.empty() ? std::string() : "<" + envelope.from + ">";
  curl_slist* rcpt = curl_slist_append(nullptr, ("<" + envelope.recipient + ">").c_str());

  curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_USE_SSL,
                   static_cast<long>(options_.allow_plaintext ? CURLUSESSL_TRY : CURLUSESSL_ALL));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, options_.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(c, CURLOPT_READDATA, &up);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(raw.size()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);  // feeds debug_cb only; nothing is printed
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &replies);

  const CURLcode rc = curl_easy_perform(c);
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(rcpt);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, nullptr);

  if (rc == CURLE_OK) return {SendResult::Status::sent, replies.last.empty() ? "250" : replies.last};
  const std::string& last_reply = replies.last_refusal;
  const SmtpStage stage = replies.refusal_stage != SmtpStage::none ? replies.refusal_stage : replies.stage;
  const std::string detail = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
  // The server refused something: its own words, if it spoke at all in this transaction.
  if (code >= 400 && code < 600) {
    std::string reply = last_reply.size() >= 3 && last_reply.compare(0, 3, std::to_string(code)) == 0
                            ? last_reply : std::to_string(code) + " " + detail;
    const bool permanent = code >= 500 && !auth_or_tls_refusal(code) && !session_stage(stage);
    return {permanent ? SendResult::Status::permanent_failure : SendResult::Status::temporary_failure,
            reply, stage};
  }
  if (rc == CURLE_LOGIN_DENIED)
    return {SendResult::Status::temporary_failure, "no reply: authentication failed (rc=67)", SmtpStage::auth};
  return {SendResult::Status::temporary_failure,
          "no reply: " + detail + " (rc=" + std::to_string(static_cast<int>(rc)) + ")", stage};
}

}  // namespace madoguchi::daemon
