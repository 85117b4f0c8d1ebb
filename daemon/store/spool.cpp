// spool.cpp — see spool.h.
#include "daemon/store/spool.h"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace madoguchi::daemon {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

namespace {
[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void fsync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_errno("open " + dir.string());
  if (::fsync(fd) != 0) {
    ::close(fd);
    throw_errno("fsync " + dir.string());
  }
  ::close(fd);
}

// fsyncs every descriptor, several at once (up to 8 threads): the kernel joins concurrent
// fsyncs into few journal commits and device cache flushes, where one after another pays a
// flush each (measured: 64 spool files over ~56 directories). The index of the first that
// failed, with errno set, or -1.
std::ptrdiff_t fsync_each(const std::vector<int>& fds) {
  constexpr std::size_t kThreads = 8;
  std::atomic<std::size_t> next{0};
  std::atomic<std::ptrdiff_t> failed{-1};
  std::atomic<int> failed_errno{0};
  auto work = [&] {
    for (std::size_t i; (i = next++) < fds.size();) {
      if (::fsync(fds[i]) == 0) continue;
      const int e = errno;
      std::ptrdiff_t none = -1;
      if (failed.compare_exchange_strong(none, static_cast<std::ptrdiff_t>(i))) failed_errno = e;
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t k = 1; k < std::min(kThreads, fds.size()); ++k) {
    try {
      threads.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no more threads now: those running (and this one) do the rest
    }
  }
  work();
  for (auto& t : threads) t.join();
  if (failed >= 0) errno = failed_errno;
  return failed;
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view data) {
  write_files_atomically({{path, data}});
}

void write_files_atomically(const std::vector<FileToWrite>& files) {
  struct Temp {
    std::filesystem::path tmp;
    int fd = -1;
  };
  std::vector<Temp> temps;
  temps.reserve(files.size());
  std::size_t renamed = 0;
  // Removes what is not yet renamed, keeping errno for the exception.
  auto fail = [&](const std::string& what) {
    const int saved = errno;
    for (std::size_t i = 0; i < temps.size(); ++i) {
      if (temps[i].fd >= 0) ::close(temps[i].fd);
      if (i >= renamed) ::unlink(temps[i].tmp.c_str());
    }
    errno = saved;
    throw_errno(what);
  };
  for (const FileToWrite& f : files) {
    auto tmp = f.path;
    tmp += ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail("open " + tmp.string());
    temps.push_back({tmp, fd});
    const char* p = f.data.data();
    std::size_t left = f.data.size();
    while (left > 0) {
      ssize_t n = ::write(fd, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("write " + tmp.string());
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    // Start the writeback now (no wait): the fsyncs below then find most data on its way.
    if (files.size() > 1) ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  }
  std::vector<int> fds;
  for (const Temp& t : temps) fds.push_back(t.fd);
  if (const auto bad = fsync_each(fds); bad >= 0) fail("fsync " + temps[static_cast<std::size_t>(bad)].tmp.string());
  for (Temp& t : temps) {
    ::close(t.fd);
    t.fd = -1;
  }
  for (; renamed < files.size(); ++renamed)
    if (::rename(temps[renamed].tmp.c_str(), files[renamed].path.c_str()) != 0)
      fail("rename " + temps[renamed].tmp.string());
  std::vector<std::filesystem::path> dirs;
  for (const FileToWrite& f : files) dirs.push_back(f.path.parent_path());
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  if (dirs.size() == 1) return fsync_dir(dirs.front());
  std::vector<int> dir_fds;
  for (const auto& d : dirs) {
    const int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      const int saved = errno;
      for (int f : dir_fds) ::close(f);
      errno = saved;
      throw_errno("open " + d.string());
    }
    dir_fds.push_back(fd);
  }
  const auto bad = fsync_each(dir_fds);
  const int saved = errno;
  for (int f : dir_fds) ::close(f);
  errno = saved;
  if (bad >= 0) throw_errno("fsync " + dirs[static_cast<std::size_t>(bad)].string());
}

void create_directory_durably(const std::filesystem::path& dir) {
  // The new entry lives in the parent directory: without its fsync a power loss can lose the
  // directory, and the spool files written into it with it, after the row naming them committed.
  if (std::filesystem::create_directories(dir)) fsync_dir(dir.parent_path());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::system_error(errno, std::generic_category(), "open " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path spool_path(const std::filesystem::path& store_dir, std::string_view sha256) {
  return store_dir / "spool" / std::string(sha256.substr(0, 2)) / (std::string(sha256) + ".eml");
}

}  // namespace madoguchi::daemon
