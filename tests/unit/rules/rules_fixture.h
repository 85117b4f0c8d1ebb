// rules_fixture.h — building ParsedMail values and policies for the rules tests without the
// MIME parser (issue 3 tests that), so these tests fail only for rules reasons.
#pragma once

#include "parsers/parsed_mail.h"
#include "rules/calendar.h"
#include "rules/policy.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace rules_test {

using madoguchi::parsers::ParsedMail;

struct MailSpec {
  std::string from = "it-admin@sakura-giken.co.jp";
  std::string to = "passlogic-support@madoguchi.example.jp";
  std::string subject{};
  std::string body{};
  std::vector<std::pair<std::string, std::string>> headers{};  // extra header fields
};

inline ParsedMail mail(const MailSpec& s) {
  ParsedMail m;
  m.subject = s.subject;
  m.text = s.body;
  if (!s.from.empty()) m.from.push_back({"", s.from});
  if (!s.to.empty()) m.to.push_back({"", s.to});
  m.message_id = "test-1@customer.example.jp";
  m.headers.push_back({"From", s.from});
  m.headers.push_back({"To", s.to});
  m.headers.push_back({"Subject", s.subject});
  for (const auto& [name, value] : s.headers) {
    m.headers.push_back({name, value});
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string v;
    for (char c : value) v += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "auto-submitted") m.auto_submitted = v;
    if (lower == "precedence") m.precedence = v;
    if (lower == "list-id") m.list_id = value;
    if (lower == "authentication-results") m.authentication_results.push_back(value);
    if (lower == "return-path") {
      std::string rp = value;
      if (rp.size() >= 2 && rp.front() == '<' && rp.back() == '>') rp = rp.substr(1, rp.size() - 2);
      m.return_path = rp;
    }
    if (lower == "message-id") m.message_id = value;
  }
  return m;
}

// An instant from "2026-11-24T10:00:00+09:00".
inline std::chrono::sys_seconds at(std::string_view iso) {
  auto t = madoguchi::rules::parse_iso8601(iso);
  REQUIRE(t.has_value());
  return *t;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Tenants used by the shipped-desk tests (fictitious companies).
inline constexpr const char* test_tenants = R"(
tenants:
  - id: sakura-giken
    company: 株式会社さくら技研
    tenant: sakura
    domains: [sakura-giken.co.jp]
    admins: [it-admin@sakura-giken.co.jp]
    notices: [it-admin@sakura-giken.co.jp]
    contracts:
      - {id: PL-0001, kind: contract_id, desks: [passlogic-cloud], valid_from: 2025-04-01, valid_until: 2027-03-31, status: active}
  - id: minato-shoji
    company: みなと商事株式会社
    domains: [minato-shoji.co.jp]
    admins: [joho@minato-shoji.co.jp]
    contracts:
      - {id: LX-2025-0042, kind: maintenance_id, desks: [layerx-saas], valid_from: 2025-04-01, valid_until: 2027-03-31}
      - {id: VT-2025-0007, kind: contract_id, desks: [votiro], valid_from: 2025-04-01, valid_until: 2027-03-31}
  - id: kita-denki
    company: 北電機工業株式会社
    domains: [kita-denki.example.jp]
    admins: [c5-user@kita-denki.example.jp]
    contracts:
      - {id: C5-1001, kind: licence, desks: [conductor5], valid_from: 2025-01-01, valid_until: 2027-12-31, incidents: 5}
)";

// The shipped desks of config/desks with `tenants`.
inline std::shared_ptr<const madoguchi::rules::Policy> shipped_policy(const std::string& tenants = test_tenants) {
  std::vector<std::pair<std::string, std::string>> desks;
  for (const char* id : {"passlogic-cloud", "layerx-saas", "votiro", "conductor5"}) {
    const std::string path = std::string(MADOGUCHI_SOURCE_DIR) + "/config/desks/" + id + ".yaml";
    desks.emplace_back(path, read_file(path));
  }
  madoguchi::rules::ConfigErrors errors;
  auto p = madoguchi::rules::Policy::from_text(desks, tenants, errors);
  for (const auto& e : errors) MESSAGE(e.to_string());
  REQUIRE(p);
  return p;
}

}  // namespace rules_test
