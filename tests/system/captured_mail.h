// captured_mail.h — system-test helper: the mail the SMTP capture server received, in
// arrival order, each with its envelope recipient and parsed by madoguchi's own parser.
#pragma once

#include "../integration/mail_servers.h"
#include "parsers/parsed_mail.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace madoguchi::testing {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Captured {
  std::string recipient;
  std::string raw;
  madoguchi::parsers::ParsedMail mail;
};

// Every captured mail so far, in arrival order, with its envelope recipient.
inline std::vector<Captured> captured(const MailServers& servers) {
  std::vector<Captured> out;
  for (const auto& eml : servers.captured()) {
    const std::string env = slurp(eml.parent_path() / (eml.stem().string() + ".json"));
    const auto pos = env.find("\"rcpt_tos\": [\"");
    std::string rcpt;
    if (pos != std::string::npos) {
      const auto start = pos + 14;
      rcpt = env.substr(start, env.find('"', start) - start);
    }
    std::string raw = slurp(eml);
    auto mail = madoguchi::parsers::parse_mail(raw);
    out.push_back({rcpt, std::move(raw), std::move(mail)});
  }
  return out;
}

// Waits until `n` mails have been captured (or the timeout passes).
inline std::vector<Captured> wait_for(const MailServers& servers, std::size_t n,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto c = captured(servers);
    if (c.size() >= n) return c;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return captured(servers);
}

}  // namespace madoguchi::testing
