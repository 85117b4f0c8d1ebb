// The fixture itself, proven against the real servers: a mail put into Dovecot is fetched
// over IMAP (STARTTLS, certificate verified) with libcurl, a mail sent with libcurl over
// SMTP arrives in the capture directory byte for byte, and the kit (tests/mailservers/)
// refuses to start on a port another process holds.
#include <doctest/doctest.h>

#include "mail_servers.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

using madoguchi::testing::MailServers;

namespace {
size_t append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct Upload {
  std::string data;
  size_t pos = 0;
};
size_t read_upload(char* buf, size_t size, size_t n, void* p) {
  auto* u = static_cast<Upload*>(p);
  size_t len = std::min(size * n, u->data.size() - u->pos);
  u->data.copy(buf, len, u->pos);
  u->pos += len;
  return len;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("integration fixture: real Dovecot over IMAP+STARTTLS and real SMTP capture") {
  MailServers servers;
  const std::string mail =
      "From: it-admin@sakura-giken.co.jp\r\nTo: support@localhost\r\n"
      "Subject: fixture check\r\nMessage-ID: <fixture-1@sakura-giken.co.jp>\r\n\r\n"
      "hello from the fixture\r\n";
  servers.deliver_to_inbox(mail);

  CURL* curl = curl_easy_init();
  REQUIRE(curl != nullptr);
  std::string body;
  const std::string url = servers.imap_url() + "/INBOX/;UID=1";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, servers.user.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, servers.password.c_str());
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(curl, CURLOPT_CAINFO, servers.ca_cert().c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  CHECK(curl_easy_perform(curl) == CURLE_OK);
  CHECK(body.find("hello from the fixture") != std::string::npos);
  CHECK(body.find("Message-ID: <fixture-1@sakura-giken.co.jp>") != std::string::npos);
  curl_easy_cleanup(curl);

  Upload up{"From: support@localhost\r\nTo: it-admin@sakura-giken.co.jp\r\n"
            "Subject: capture check\r\n\r\ncaptured body\r\n"};
  curl = curl_easy_init();
  REQUIRE(curl != nullptr);
  curl_slist* rcpt = curl_slist_append(nullptr, "it-admin@sakura-giken.co.jp");
  curl_easy_setopt(curl, CURLOPT_URL, servers.smtp_url().c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, "");
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &up);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  CHECK(curl_easy_perform(curl) == CURLE_OK);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);

  const auto files = servers.captured();
  REQUIRE(files.size() == 1);
  CHECK(slurp(files[0]) == up.data);
  const std::string envelope = slurp(files[0].parent_path() / (files[0].stem().string() + ".json"));
  CHECK(envelope.find("\"<>\"") != std::string::npos);
}

TEST_CASE("integration fixture: two fixtures run side by side on distinct ports") {
  MailServers a;
  madoguchi::testing::MailServerOptions only_smtp;
  only_smtp.start_dovecot = false;
  MailServers b(only_smtp);
  CHECK(a.smtp_port != b.smtp_port);
  CHECK(a.base() != b.base());
  CHECK(b.captured().empty());
}

namespace {
// Listens on 127.0.0.1:port until destroyed: another program holding a port the kit wants.
struct HeldPort {
  int fd = -1;
  explicit HeldPort(int port) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 1) == 0);
  }
  ~HeldPort() { ::close(fd); }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
};
}  // namespace

TEST_CASE("integration fixture: the kit refuses a port another process holds, and starts once it is free") {
  madoguchi::testing::MailServerOptions none;
  none.start_dovecot = false;
  none.start_smtp = false;
  MailServers servers(none);
  {
    HeldPort smtp(servers.smtp_port);
    HeldPort lmtp(servers.lmtp_port);
    CHECK_THROWS_WITH_AS(servers.start_smtp(), doctest::Contains("already held"), std::runtime_error);
    CHECK_THROWS_WITH_AS(servers.start_dovecot(), doctest::Contains("already held"), std::runtime_error);
  }
  servers.start_smtp();
  servers.start_dovecot();
  CHECK(servers.imap_greeting().find("STARTTLS") != std::string::npos);
}
