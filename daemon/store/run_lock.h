// run_lock.h — one long-running `madoguchi run` per store (issue 14). `run --once`, `deliver`
// and the CLI may work beside it (every state change is a compare-and-set); a second daemon
// would only double the polling and the IDLE connections, and is most often a mistake (two
// units, or a unit and a shell). An flock(2) on <store>/run.lock: the kernel drops it when the
// process ends, however it ends, so a crash never leaves a stale lock.
#pragma once

#include <filesystem>
#include <optional>

namespace madoguchi::daemon {

class RunLock {
 public:
  // The lock, or nullopt when another process holds it. Throws std::system_error when the
  // lock file cannot be opened.
  static std::optional<RunLock> try_acquire(const std::filesystem::path& store_dir);
  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  ~RunLock();

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace madoguchi::daemon
