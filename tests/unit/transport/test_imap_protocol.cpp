// The IMAP protocol layer on recorded server transcripts (Dovecot 2.3 and RFC 3501 examples):
// framing across arbitrary read boundaries, literals that contain CRLF, ')' and "{5}", the
// responses intake relies on (SELECT's UIDVALIDITY, UID SEARCH, FETCH with BODY[] / partial
// BODY[]<0>, INTERNALDATE, capabilities), and what we send (mailbox names in modified UTF-7,
// UID sets, reconnect backoff). No sockets, no files: the layer is fed bytes.
#include <doctest/doctest.h>

#include "daemon/transport/credentials.h"
#include "daemon/transport/imap_protocol.h"
#include "daemon/transport/imap_source.h"

#include <algorithm>
#include <string>
#include <vector>

using namespace madoguchi::daemon;
using namespace madoguchi::daemon::imap;

namespace {

// Dovecot 2.3's answer to "m2 SELECT INBOX" then "m3 UID FETCH 1:2 (UID RFC822.SIZE
// INTERNALDATE BODY.PEEK[])", recorded on loopback (bodies shortened).
const std::string body1 =
    "From: a@example.jp\r\nSubject: test ) {5}\r\n\r\nline with (paren\r\n* 3 EXISTS\r\nm3 OK fake\r\n";
const std::string body2 = "Subject: two\r\n\r\nx\r\n";
std::string transcript() {
  return "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
         "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n"
         "* 2 EXISTS\r\n"
         "* 0 RECENT\r\n"
         "* OK [UNSEEN 1] First unseen.\r\n"
         "* OK [UIDVALIDITY 1795319782] UIDs valid\r\n"
         "* OK [UIDNEXT 3] Predicted next UID\r\n"
         "m2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n"
         "* 1 FETCH (UID 1 RFC822.SIZE " + std::to_string(body1.size()) +
         " INTERNALDATE \"22-Nov-2026 03:56:22 +0900\" BODY[] {" + std::to_string(body1.size()) + "}\r\n" +
         body1 + ")\r\n"
         "* 2 FETCH (UID 2 RFC822.SIZE 19 INTERNALDATE \" 7-Jan-2025 23:59:59 -0130\" BODY[] {" +
         std::to_string(body2.size()) + "}\r\n" + body2 + ")\r\n"
         "m3 OK Fetch completed (0.002 + 0.000 secs).\r\n";
}

std::vector<Response> read_all(ResponseReader& reader) {
  std::vector<Response> out;
  while (auto r = reader.next()) out.push_back(std::move(*r));
  return out;
}

void check_transcript(const std::vector<Response>& rs) {
  REQUIRE(rs.size() == 11);
  CHECK(rs[2].keyword() == "EXISTS");
  CHECK(code_number(rs[5], "UIDVALIDITY") == 1795319782);
  CHECK(code_number(rs[6], "UIDNEXT") == 3);
  CHECK_FALSE(code_number(rs[6], "UIDVALIDITY"));
  CHECK(rs[7].type == Response::Type::tagged);
  CHECK(rs[7].tag == "m2");
  CHECK(rs[7].status == "OK");
  CHECK(rs[7].code == "READ-WRITE");
  auto f1 = parse_fetch(Response(rs[8]));
  REQUIRE(f1);
  CHECK(f1->uid == 1);
  CHECK(f1->size == static_cast<std::int64_t>(body1.size()));
  CHECK(f1->body == body1);  // the literal, CRLFs, ')' and "{5}" inside, byte for byte
  REQUIRE(f1->internal_date);
  CHECK(f1->internal_date->time_since_epoch().count() == 1795287382);  // 2026-11-21T18:56:22Z
  auto f2 = parse_fetch(Response(rs[9]));
  REQUIRE(f2);
  CHECK(f2->uid == 2);
  CHECK(f2->body == body2);
  REQUIRE(f2->internal_date);
  CHECK(f2->internal_date->time_since_epoch().count() == 1736299799);  // 2025-01-08T01:29:59Z
  CHECK(rs[10].tag == "m3");
}

}  // namespace

TEST_CASE("imap: a recorded SELECT and FETCH transcript parses in one piece") {
  ResponseReader reader;
  reader.feed(transcript());
  check_transcript(read_all(reader));
  CHECK(reader.buffered() == 0);
}

TEST_CASE("imap: the same transcript fed one byte at a time gives the same responses") {
  ResponseReader reader;
  std::vector<Response> rs;
  for (char c : transcript()) {
    reader.feed(std::string_view(&c, 1));
    while (auto r = reader.next()) rs.push_back(std::move(*r));
  }
  check_transcript(rs);
}

TEST_CASE("imap: a literal announced bigger than the limit is refused before it is read") {
  ResponseReader reader(1000);
  reader.feed("* 1 FETCH (UID 1 BODY[] {1001}\r\nabc");
  CHECK_THROWS_AS(reader.next(), ProtocolError);
  ResponseReader ok(1000);
  ok.feed("* 1 FETCH (UID 1 BODY[] {3}\r\nabc)\r\n");
  CHECK(ok.next());
}

TEST_CASE("imap: a partial fetch answers BODY[]<0> and still carries the body") {
  auto r = parse_response("* 9 FETCH (UID 42 BODY[]<0> {4}\r\nFrom)");
  auto f = parse_fetch(std::move(r));
  REQUIRE(f);
  CHECK(f->uid == 42);
  CHECK(f->body == "From");
}

TEST_CASE("imap: FETCH with flags, NIL body and a bracketed section with parentheses") {
  auto f = parse_fetch(parse_response(
      "* 3 FETCH (FLAGS (\\Seen $Forwarded) UID 7 BODY[HEADER.FIELDS (MESSAGE-ID)] {4}\r\nab\r\n BODY[] NIL)"));
  REQUIRE(f);
  CHECK(f->uid == 7);
  CHECK(f->flags == std::vector<std::string>{"\\Seen", "$Forwarded"});
  CHECK(f->body == "");
  CHECK_FALSE(parse_fetch(parse_response("* 3 EXISTS")));
}

TEST_CASE("imap: SEARCH, CAPABILITY, continuation, tagged NO, BYE") {
  CHECK(search_numbers(parse_response("* SEARCH 2 84 882")) == std::vector<std::int64_t>{2, 84, 882});
  CHECK(search_numbers(parse_response("* SEARCH")).empty());
  auto caps = capabilities(parse_response(
      "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE idle SORT MOVE UIDPLUS"));
  CHECK(std::find(caps.begin(), caps.end(), "IDLE") != caps.end());
  CHECK(std::find(caps.begin(), caps.end(), "MOVE") != caps.end());
  auto code_caps = capabilities(parse_response("m1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in"));
  CHECK(code_caps == std::vector<std::string>{"IMAP4REV1", "IDLE"});
  auto cont = parse_response("+ idling");
  CHECK(cont.type == Response::Type::continuation);
  CHECK(cont.text == "idling");
  auto no = parse_response("m5 NO [TRYCREATE] Mailbox doesn't exist: Processed");
  CHECK(no.status == "NO");
  CHECK(no.code == "TRYCREATE");
  CHECK(no.text == "Mailbox doesn't exist: Processed");
  auto bye = parse_response("* BYE Server shutting down.");
  CHECK(bye.status == "BYE");
  CHECK_THROWS_AS(parse_response("m6 FETCH"), ProtocolError);
  CHECK_THROWS_AS(parse_response("* 1 FETCH (UID 1"), ProtocolError);
}

TEST_CASE("imap: IDLE transcript, EXISTS while idling, DONE completion") {
  ResponseReader reader;
  reader.feed("+ idling\r\n* OK Still here\r\n* 4 EXISTS\r\n* 1 RECENT\r\nm7 OK Idle completed (0.001 + 3.2 secs).\r\n");
  auto rs = read_all(reader);
  REQUIRE(rs.size() == 5);
  CHECK(rs[0].type == Response::Type::continuation);
  CHECK(rs[1].status == "OK");
  CHECK(rs[1].keyword().empty());
  CHECK(rs[2].keyword() == "EXISTS");
  CHECK(rs[2].data[0].number() == 4);
  CHECK(rs[3].keyword() == "RECENT");
  CHECK(rs[4].tag == "m7");
}

TEST_CASE("imap: quoted strings with escapes") {
  auto r = parse_response("* LIST (\\HasNoChildren) \"/\" \"a \\\"b\\\" \\\\c\"");
  REQUIRE(r.data.size() == 4);
  CHECK(r.data[3].kind == Value::Kind::string);
  CHECK(r.data[3].text == "a \"b\" \\c");
}

TEST_CASE("imap: INTERNALDATE round trip and malformed dates") {
  const auto t = parse_internal_date("01-Feb-2026 00:00:00 +0000");
  REQUIRE(t);
  CHECK(format_internal_date(*t) == "01-Feb-2026 00:00:00 +0000");
  CHECK(parse_internal_date(format_internal_date(*t)) == t);
  CHECK_FALSE(parse_internal_date("31-Feb-2026 00:00:00 +0000"));
  CHECK_FALSE(parse_internal_date("01-Foo-2026 00:00:00 +0000"));
  CHECK_FALSE(parse_internal_date("garbage"));
}

TEST_CASE("imap: mailbox names go out as modified UTF-7 atoms or quoted strings") {
  CHECK(mailbox_argument("inbox") == "INBOX");
  CHECK(mailbox_argument("Processed") == "Processed");
  CHECK(mailbox_argument("処理済み") == "&UeZ0Bm4IMH8-");
  CHECK(encode_modified_utf7("Tom & Jerry") == "Tom &- Jerry");
  CHECK(encode_modified_utf7("日本語") == "&ZeVnLIqe-");  // RFC 3501 5.1.3 example
  CHECK(mailbox_argument("My Folder") == "\"My Folder\"");
  CHECK(mailbox_argument("a\"b") == "\"a\\\"b\"");
}

TEST_CASE("imap: UID sets are compact and sorted") {
  CHECK(uid_set({}) == "");
  CHECK(uid_set({5}) == "5");
  CHECK(uid_set({3, 1, 2, 7, 9, 10, 10}) == "1:3,7,9:10");
}

TEST_CASE("imap: reconnect backoff doubles, is capped and jittered") {
  using std::chrono::milliseconds;
  const milliseconds base{1000}, max{300000};
  CHECK(backoff_delay(0, base, max, 0.0) == milliseconds(500));
  CHECK(backoff_delay(0, base, max, 0.999999) >= milliseconds(999));
  CHECK(backoff_delay(3, base, max, 0.0) == milliseconds(4000));
  CHECK(backoff_delay(30, base, max, 0.0) == milliseconds(150000));
  CHECK(backoff_delay(30, base, max, 0.999999) <= max);
  CHECK(backoff_delay(-5, base, max, 0.0) == milliseconds(500));
}

TEST_CASE("imap: mailbox URLs name the connection and the folder") {
  auto u = parse_imap_url("imaps://imap.example.jp:993/INBOX");
  REQUIRE(u);
  CHECK(u->connect_url == "imaps://imap.example.jp:993/");
  CHECK(u->folder == "INBOX");
  auto v = parse_imap_url("imap://127.0.0.1:10143");
  REQUIRE(v);
  CHECK(v->folder == "INBOX");
  auto w = parse_imap_url("imap://h:143/Support%20Desk/;UIDVALIDITY=5");
  REQUIRE(w);
  CHECK(w->folder == "Support Desk");
  CHECK_FALSE(parse_imap_url("maildir:/x"));
}

namespace {
const char* fake_env(const char* name) {
  std::string n(name);
  if (n == "IMAP_PASS") return "s3cret\n";
  if (n == "EMPTY") return "";
  return nullptr;
}
}  // namespace

TEST_CASE("credentials: from the environment, trimmed, and errors name the source, not the secret") {
  auto r = read_credential({"", "IMAP_PASS", "", ""}, fake_env);
  REQUIRE(r.credential);
  CHECK(r.credential->secret == "s3cret");
  CHECK(r.credential->kind == Credential::Kind::password);
  auto missing = read_credential({"", "NOPE", "", ""}, fake_env);
  CHECK_FALSE(missing.credential);
  CHECK(missing.error == "password_env NOPE is not set");
  CHECK_FALSE(read_credential({"", "EMPTY", "", ""}, fake_env).credential);
  CHECK_FALSE(read_credential({"", "", "", ""}, fake_env).credential);
  CHECK_FALSE(read_credential({"/x", "IMAP_PASS", "", ""}, fake_env).credential);
  auto sd = read_credential({"", "", "imap", ""}, fake_env);  // no $CREDENTIALS_DIRECTORY
  CHECK_FALSE(sd.credential);
  CHECK(sd.error.find("CREDENTIALS_DIRECTORY") != std::string::npos);
  CHECK(trim_secret("tok\r\n") == "tok");
}
