// summarize_dsn (RFC 3464, RFC 6533): what a delivery status notification says is read from
// its machine-readable part only, in either form and any transfer encoding, per recipient;
// the prose and the returned message may contain lines that look like its fields.
#include <doctest/doctest.h>

#include "daemon/service/bounces.h"

#include <string>

using madoguchi::daemon::summarize_dsn;

namespace {

std::string report(const std::string& status_type, const std::string& cte, const std::string& status_body,
                   const std::string& returned) {
  return "From: MAILER-DAEMON@mx.example.co.jp\r\nMIME-Version: 1.0\r\n"
         "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n"
         "--b\r\nContent-Type: text/plain\r\n\r\n"
         "Your message was delivered.\r\nStatus: 5.9.9 (prose, not a field)\r\n\r\n"
         "--b\r\nContent-Type: " + status_type + "\r\n" +
         (cte.empty() ? std::string() : "Content-Transfer-Encoding: " + cte + "\r\n") + "\r\n" + status_body +
         "\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n" + returned + "\r\n--b--\r\n";
}

const std::string kReturned =
    "From: support@example.jp\r\nMessage-ID: <m1@example.jp>\r\nSubject: s\r\n\r\n"
    "Action: failed\r\nStatus: 5.1.1\r\n";

}  // namespace

TEST_CASE("dsn: a success notice whose returned message and prose hold Status lines is no bounce") {
  const auto s = summarize_dsn(report("message/delivery-status", "",
                                      "Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; a@example.co.jp\r\n"
                                      "Action: delivered\r\nStatus: 2.0.0\r\n",
                                      kReturned));
  CHECK_FALSE(s.hard);
  CHECK_FALSE(s.delayed);
  CHECK(s.status == "2.0.0");
}

TEST_CASE("dsn: message/global-delivery-status, also base64 or quoted-printable") {
  const std::string fields = "Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: utf-8; 山田@example.co.jp\r\n"
                             "Action: failed\r\nStatus: 5.1.1\r\n";
  // `fields` in base64, as RFC 6533 allows for this type.
  const std::string b64 =
      "UmVwb3J0aW5nLU1UQTogZG5zOyBteA0KDQpGaW5hbC1SZWNpcGllbnQ6IHV0Zi04OyDlsbHnlLBA\r\n"
      "ZXhhbXBsZS5jby5qcA0KQWN0aW9uOiBmYWlsZWQNClN0YXR1czogNS4xLjENCg==\r\n";
  for (const auto& [cte, body] : {std::pair<std::string, std::string>{"", fields}, {"8bit", fields}, {"base64", b64},
                                  {"quoted-printable", "Action: failed\r\nStatus: 5.1.1\r\n"}}) {
    CAPTURE(cte);
    const auto s = summarize_dsn(report("message/global-delivery-status", cte, body, ""));
    CHECK(s.hard);
    CHECK(s.status == "5.1.1");
  }
}

TEST_CASE("dsn: several recipients: any failed one is a hard bounce, reported with its own status") {
  const auto s = summarize_dsn(report("message/delivery-status", "",
                                      "Reporting-MTA: dns; mx\r\n\r\n"
                                      "Final-Recipient: rfc822; a@example.co.jp\r\nAction: delivered\r\nStatus: 2.0.0\r\n\r\n"
                                      "Final-Recipient: rfc822; b@example.co.jp\r\nAction: delayed\r\nStatus: 4.4.7\r\n\r\n"
                                      "Final-Recipient: rfc822; c@example.co.jp\r\nAction: failed\r\nStatus: 5.2.2\r\n",
                                      ""));
  CHECK(s.hard);
  CHECK_FALSE(s.delayed);
  CHECK(s.status == "5.2.2");
  const auto delayed = summarize_dsn(report("message/delivery-status", "",
                                            "Reporting-MTA: dns; mx\r\n\r\n"
                                            "Final-Recipient: rfc822; a@example.co.jp\r\nAction: delivered\r\nStatus: 2.0.0\r\n\r\n"
                                            "Final-Recipient: rfc822; b@example.co.jp\r\nAction: delayed\r\nStatus: 4.4.7\r\n",
                                            kReturned));
  CHECK_FALSE(delayed.hard);
  CHECK(delayed.delayed);
}

TEST_CASE("dsn: bare fields without a MIME report are read as they are") {
  CHECK(summarize_dsn("Final-Recipient: rfc822; a@x\r\nAction: failed\r\nStatus: 5.1.1\r\n").hard);
  CHECK(summarize_dsn("Final-Recipient: rfc822; a@x\r\nAction: delayed\r\nStatus: 4.4.1\r\n").delayed);
}
