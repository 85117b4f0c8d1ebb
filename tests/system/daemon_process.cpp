// daemon_process.cpp — see daemon_process.h.
#include "daemon_process.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace madoguchi::testing {

namespace {
std::vector<char*> argv_of(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}
}  // namespace

DaemonProcess::DaemonProcess(std::vector<std::string> args, std::filesystem::path log_file,
                             std::vector<std::string> env)
    : log_file_(std::move(log_file)) {
  std::vector<std::string> full{MADOGUCHI_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  auto argv = argv_of(full);
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    for (auto& e : env) ::putenv(e.data());
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
}

DaemonProcess::~DaemonProcess() {
  if (reaped_ || pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (wait(std::chrono::seconds(5)) == -1) kill_hard();
}

void DaemonProcess::signal(int signo) const {
  if (!reaped_) ::kill(pid_, signo);
}

int DaemonProcess::wait(std::chrono::milliseconds timeout) {
  if (reaped_) return decode_status(status_);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = ::waitpid(pid_, &status_, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return decode_status(status_);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

void DaemonProcess::kill_hard() {
  if (reaped_) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status_, 0);
  reaped_ = true;
}

std::string DaemonProcess::log() const {
  std::ifstream in(log_file_, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool DaemonProcess::wait_for_log(const std::string& needle, std::chrono::milliseconds timeout,
                                 int occurrences) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    const std::string text = log();
    int n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
    if (n >= occurrences) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

CommandResult run_madoguchi(const std::vector<std::string>& args, const std::string& stdin_data) {
  char out_tmpl[] = "/tmp/madoguchi-cmd-XXXXXX";
  int out_fd = ::mkstemp(out_tmpl);
  char in_tmpl[] = "/tmp/madoguchi-in-XXXXXX";
  int in_fd = ::mkstemp(in_tmpl);
  if (out_fd < 0 || in_fd < 0) throw std::runtime_error("mkstemp failed");
  if (!stdin_data.empty() &&
      ::write(in_fd, stdin_data.data(), stdin_data.size()) != static_cast<ssize_t>(stdin_data.size()))
    throw std::runtime_error("write failed");
  ::lseek(in_fd, 0, SEEK_SET);
  std::vector<std::string> full{MADOGUCHI_BINARY};
  full.insert(full.end(), args.begin(), args.end());
  auto argv = argv_of(full);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(out_fd, 2);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(in_fd);
  ::unlink(in_tmpl);
  std::ifstream in(out_tmpl, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  ::close(out_fd);
  ::unlink(out_tmpl);
  return {decode_status(status), ss.str()};
}

long long store_count(const std::filesystem::path& db, const std::string& sql) {
  SQLite::Database d(db.string(), SQLite::OPEN_READONLY, 5000);
  SQLite::Statement q(d, sql);
  q.executeStep();
  return q.getColumn(0).getInt64();
}

}  // namespace madoguchi::testing
