// log.cpp — see log.h.
#include "daemon/log/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

namespace madoguchi::daemon {
namespace {
std::atomic<bool> g_mask{true};

std::string quote_if_needed(std::string_view v) {
  bool plain = !v.empty();
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\r' || c == '\t') plain = false;
  if (plain) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n' || c == '\r') { out += ' '; continue; }
    out += c;
  }
  out += '"';
  return out;
}
}  // namespace

void init_logging(std::string_view level, bool mask_personal_data) {
  g_mask = mask_personal_data;
  try {
    std::shared_ptr<spdlog::logger> logger;
    if (std::getenv("JOURNAL_STREAM") != nullptr) {
      auto sink = std::make_shared<spdlog::sinks::systemd_sink_mt>("madoguchi");
      logger = std::make_shared<spdlog::logger>("madoguchi", sink);
      logger->set_pattern("%v");
    } else {
      auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
      logger = std::make_shared<spdlog::logger>("madoguchi", sink);
      logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
    }
    logger->set_level(spdlog::level::from_str(std::string(level)));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    // keep spdlog's default logger
  }
}

void init_cli_logging(std::string_view level, bool mask_personal_data) {
  std::error_code ec;
  if (std::getenv("JOURNAL_STREAM") != nullptr ||
      !std::filesystem::exists("/run/systemd/journal/socket", ec)) {
    init_logging(level, mask_personal_data);
    return;
  }
  g_mask = mask_personal_data;
  try {
    auto journal = std::make_shared<spdlog::sinks::systemd_sink_mt>("madoguchi");
    journal->set_pattern("%v");
    journal->set_level(spdlog::level::from_str(std::string(level)));
    auto terminal = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    terminal->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
    terminal->set_level(spdlog::level::warn);
    auto logger = std::make_shared<spdlog::logger>("madoguchi", spdlog::sinks_init_list{journal, terminal});
    logger->set_level(spdlog::level::from_str(std::string(level)));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    init_logging(level, mask_personal_data);
  }
}

std::string mask_address(std::string_view address) {
  if (!g_mask) return std::string(address);
  auto at = address.rfind('@');
  if (at == std::string_view::npos) return address.empty() ? std::string() : std::string("***");
  std::string out;
  if (at > 0) out += address[0];
  out += "***";
  out += address.substr(at);
  return out;
}

void log_event(spdlog::level::level_enum level, Event event,
               std::initializer_list<Field> fields) {
  try {
    std::string line = "event=";
    line += to_string(event);
    for (const auto& [k, v] : fields) {
      line += ' ';
      line += k;
      line += '=';
      line += quote_if_needed(v);
    }
    spdlog::log(level, "{}", line);
  } catch (...) {
    // Logging never throws into the caller (a full disk must not stop intake).
  }
}

}  // namespace madoguchi::daemon
