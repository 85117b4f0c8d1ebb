// bench_parse.cpp — parse_mail() throughput over a list of files held in memory: the files
// are read once, then parsed `rounds` times; prints one JSON line with MB/s and mails/s.
// Reads files (bench code, not the parsers library).
#include "parsers/parsed_mail.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_parse ROUNDS FILE...\n";
    return 2;
  }
  int rounds = std::stoi(argv[1]);
  std::vector<std::string> mails;
  std::size_t bytes = 0;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    mails.push_back(s.str());
    bytes += mails.back().size();
  }
  std::size_t sink = 0;  // keeps the optimizer from dropping the work
  auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r)
    for (const auto& m : mails) {
      auto p = madoguchi::parsers::parse_mail(m);
      sink += p.text.size() + p.subject.size() + p.attachments.size();
    }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double total_mb = static_cast<double>(bytes) * rounds / 1e6;
  std::printf("{\"mails\": %zu, \"bytes\": %zu, \"rounds\": %d, \"seconds\": %.3f, "
              "\"mb_per_s\": %.2f, \"mails_per_s\": %.1f, \"sink\": %zu}\n",
              mails.size(), bytes, rounds, secs, total_mb / secs,
              static_cast<double>(mails.size()) * rounds / secs, sink);
  return 0;
}
