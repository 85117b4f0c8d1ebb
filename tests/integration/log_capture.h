// log_capture.h — integration-test helper: the daemon's log events (daemon/log.h writes them
// through spdlog's default logger) kept in memory while a LogCapture is in scope, so that a
// test waits for the event that says a thing happened (`event=imap_idle_started`) instead of
// sleeping for a time it hopes is long enough. Declare it before the objects whose threads
// log, so that they are stopped before the previous logger comes back.
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace madoguchi::testing {

class LogCapture {
 public:
  LogCapture()
      : previous_(spdlog::default_logger()),
        sink_(std::make_shared<Sink>()),
        logger_(std::make_shared<spdlog::logger>("log-capture", sink_)) {
    logger_->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger_);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // Waits until `needle` has been logged `occurrences` times; false on timeout.
  bool wait_for(const std::string& needle, std::chrono::milliseconds timeout, int occurrences = 1) {
    return sink_->wait_for(needle, timeout, occurrences);
  }
  // How many lines so far contain `needle`.
  int count(const std::string& needle) { return sink_->count(needle); }
  // Every line so far, one per line (for INFO on failure).
  std::string text() { return sink_->text(); }

 private:
  class Sink : public spdlog::sinks::base_sink<std::mutex> {
   public:
    bool wait_for(const std::string& needle, std::chrono::milliseconds timeout, int occurrences) {
      std::unique_lock lock(mutex_);
      return logged_.wait_for(lock, timeout, [&] { return count_locked(needle) >= occurrences; });
    }
    int count(const std::string& needle) {
      std::lock_guard lock(mutex_);
      return count_locked(needle);
    }
    std::string text() {
      std::lock_guard lock(mutex_);
      std::string out;
      for (const auto& l : lines_) out += l + "\n";
      return out;
    }

   protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {  // called with mutex_ held
      lines_.emplace_back(msg.payload.data(), msg.payload.size());
      logged_.notify_all();
    }
    void flush_() override {}

   private:
    int count_locked(const std::string& needle) const {
      int n = 0;
      for (const auto& l : lines_) n += l.find(needle) != std::string::npos;
      return n;
    }
    std::vector<std::string> lines_;
    std::condition_variable logged_;
  };

  std::shared_ptr<spdlog::logger> previous_;
  std::shared_ptr<Sink> sink_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace madoguchi::testing
