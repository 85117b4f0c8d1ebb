// dir_sink.cpp — see dir_sink.h.
#include "daemon/transport/dir_sink.h"

#include "daemon/store/spool.h"

#include <nlohmann/json.hpp>

#include <cctype>

#include <system_error>

namespace madoguchi::daemon {

DirSink::DirSink(std::filesystem::path dir) : dir_(std::move(dir)) {}

SendResult DirSink::send(const Envelope& envelope, std::string_view raw,
                         std::string_view message_id) {
  // File names come from our own Message-ID, never from customer input; keep them tame.
  std::string safe;
  for (char c : message_id) safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
  try {
    std::filesystem::create_directories(dir_);
    write_file_atomically(dir_ / (safe + ".eml"), raw);
    nlohmann::json env{{"mail_from", "<" + envelope.from + ">"},
                       {"rcpt_to", nlohmann::json::array({envelope.recipient})}};
    write_file_atomically(dir_ / (safe + ".json"), env.dump() + "\n");
  } catch (const std::exception& e) {
    return {SendResult::Status::temporary_failure, e.what()};
  }
  return {SendResult::Status::sent, "written to " + dir_.string()};
}

}  // namespace madoguchi::daemon
