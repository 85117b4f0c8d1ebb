// spool.cpp — see spool.h.
#include "daemon/store/spool.h"

#include <openssl/evp.h>

#include <algorithm>
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
  for (Temp& t : temps) {
    if (::fsync(t.fd) != 0) fail("fsync " + t.tmp.string());
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
  for (const auto& d : dirs) fsync_dir(d);
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
