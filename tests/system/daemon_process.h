// daemon_process.h — system-test helper: starts the real `madoguchi` binary as a child
// process with its stderr (the log) in a file, sends it signals, waits for log lines, and
// kills it (SIGKILL for crash tests) — Kea's process tests, in C++.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace madoguchi::testing {

class DaemonProcess {
 public:
  // Starts MADOGUCHI_BINARY with `args` (e.g. {"run", "--config", path}); stdout and stderr
  // go to `log_file` (appended). `env` entries are "NAME=value" added to the environment.
  DaemonProcess(std::vector<std::string> args, std::filesystem::path log_file,
                std::vector<std::string> env = {});
  ~DaemonProcess();  // SIGTERM, then SIGKILL after 5 s if still running
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int signo) const;
  // Waits for exit; returns the exit code (128+signal when killed), or -1 on timeout.
  int wait(std::chrono::milliseconds timeout);
  void kill_hard();  // SIGKILL and reap

  // The log so far.
  std::string log() const;
  // Waits until the log contains `needle` at least `occurrences` times.
  bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout,
                    int occurrences = 1) const;

 private:
  pid_t pid_ = -1;
  std::filesystem::path log_file_;
  bool reaped_ = false;
  int status_ = 0;
};

// A single number from the daemon's SQLite store, read-only (e.g. "SELECT COUNT(*) …").
long long store_count(const std::filesystem::path& db, const std::string& sql);

// Runs the binary to completion; returns {exit code, stdout+stderr}.
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult run_madoguchi(const std::vector<std::string>& args, const std::string& stdin_data = "");

}  // namespace madoguchi::testing
