// spool.cpp — see spool.h.
#include "daemon/store/spool.h"

#include <openssl/evp.h>

#include <cerrno>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <system_error>
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

// Closes and removes the temp file, keeping errno for the exception.
[[noreturn]] void fail_tmp(int fd, const std::filesystem::path& tmp, const std::string& what) {
  const int saved = errno;
  if (fd >= 0) ::close(fd);
  ::unlink(tmp.c_str());
  errno = saved;
  throw_errno(what + " " + tmp.string());
}
}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view data) {
  auto tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw_errno("open " + tmp.string());
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_tmp(fd, tmp, "write");
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail_tmp(fd, tmp, "fsync");
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail_tmp(-1, tmp, "rename");
  fsync_dir(path.parent_path());
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
