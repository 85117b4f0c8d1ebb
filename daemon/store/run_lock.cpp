// run_lock.cpp — see run_lock.h.
#include "daemon/store/run_lock.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <system_error>
#include <unistd.h>

namespace madoguchi::daemon {

std::optional<RunLock> RunLock::try_acquire(const std::filesystem::path& store_dir) {
  const auto file = store_dir / "run.lock";
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + file.string());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return std::nullopt;
    throw std::system_error(err, std::generic_category(), "flock " + file.string());
  }
  return RunLock(fd);
}

RunLock::RunLock(RunLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace madoguchi::daemon
