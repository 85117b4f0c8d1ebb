// imap_source.cpp — see imap_source.h.
#include "daemon/transport/imap_source.h"

#include "daemon/log/log.h"

#include <sys/eventfd.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <random>

namespace madoguchi::daemon {

namespace {

constexpr std::size_t kBatchCount = 256;                  // mails per UID FETCH
constexpr std::size_t kBatchBytes = std::size_t(16) << 20;  // bytes per UID FETCH (memory)
constexpr std::size_t kMarkBatch = 256;                   // UIDs per UID STORE / MOVE

double random01() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string ms_text(std::chrono::milliseconds ms) { return std::to_string(ms.count()); }

}  // namespace

std::optional<ImapUrl> parse_imap_url(std::string_view url) {
  std::string_view scheme;
  if (url.rfind("imaps://", 0) == 0) scheme = "imaps://";
  else if (url.rfind("imap://", 0) == 0) scheme = "imap://";
  else return std::nullopt;
  std::string_view rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.empty()) return std::nullopt;
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  path = path.substr(0, path.find(';'));  // ;UIDVALIDITY=... parts of RFC 5092 URLs
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  ImapUrl u;
  u.connect_url = std::string(scheme) + std::string(authority) + "/";
  u.folder = path.empty() ? "INBOX" : percent_decode(path);
  return u;
}

ImapSource::ImapSource(MailboxConfig config, Store& store)
    : config_(std::move(config)), store_(store) {
  auto u = parse_imap_url(config_.url);
  if (!u) throw std::invalid_argument("mailbox " + config_.name + ": not an imap(s):// URL");
  url_ = *u;
}

ImapSource::~ImapSource() {
  stop_watching();
  if (conn_) conn_->logout();
}

ImapSettings ImapSource::settings() const {
  CredentialResult cred = read_credential({config_.password_file, config_.password_env,
                                           config_.password_credential, config_.xoauth2_token_file});
  if (!cred.credential) throw SourceError("mailbox " + config_.name + ": " + cred.error);
  ImapSettings s;
  s.url = url_.connect_url;
  s.user = config_.user;
  s.credential = std::move(*cred.credential);
  s.ca_file = config_.ca_file;
  s.allow_plaintext = config_.allow_plaintext;
  s.max_literal = config_.max_message_size + 65536;
  return s;
}

ImapConnection& ImapSource::connection() {
  if (conn_) return *conn_;
  auto c = std::make_unique<ImapConnection>(settings());
  if (config_.after_processing.rfind("move:", 0) == 0)
    c->run("CREATE " + imap::mailbox_argument(config_.after_processing.substr(5)), true);
  log_event(spdlog::level::info, Event::imap_connected,
            {{"mailbox", config_.name}, {"url", url_.connect_url},
             {"idle", c->has_capability("IDLE") ? "true" : "false"},
             {"move", c->has_capability("MOVE") ? "true" : "false"}});
  conn_ = std::move(c);
  return *conn_;
}

// Runs `f`; a SourceError drops the connection and schedules the reconnect (backoff+jitter).
template <class F>
auto ImapSource::guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const ItemError&) {
    throw;  // the connection is fine: the item is the runner's to count
  } catch (const SourceError& e) {
    conn_.reset();
    cache_.clear();
    marks_.clear();  // still owed in the store; re-marked after the reconnect
    const auto delay = imap::backoff_delay(failures_++, backoff_base, backoff_max, random01());
    retry_at_ = std::chrono::steady_clock::now() + delay;
    log_event(spdlog::level::warn, Event::imap_reconnect_backoff,
              {{"mailbox", config_.name}, {"attempt", std::to_string(failures_)},
               {"delay_ms", ms_text(delay)}, {"error", e.what()}});
    throw;
  }
}

std::vector<std::int64_t> ImapSource::search(const std::string& criteria) {
  std::vector<std::int64_t> out;
  for (const auto& r : connection().run("UID SEARCH " + criteria).untagged) {
    auto n = imap::search_numbers(r);
    out.insert(out.end(), n.begin(), n.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<SourceItem> ImapSource::pending() {
  if (failures_ > 0 && std::chrono::steady_clock::now() < retry_at_ && !server_back_.exchange(false))
    return {};
  return guarded([&] {
    ImapConnection& c = connection();
    flush_marks();  // left from an interrupted pass
    listed_.clear();
    index_.clear();
    cache_.clear();

    std::optional<std::int64_t> uidvalidity;
    const auto sel = c.run("SELECT " + imap::mailbox_argument(url_.folder));
    for (const auto& r : sel.untagged)
      if (auto v = imap::code_number(r, "UIDVALIDITY")) uidvalidity = v;
    if (!uidvalidity) throw SourceError("SELECT " + url_.folder + " gave no UIDVALIDITY");
    uidvalidity_ = *uidvalidity;

    // The checkpoint: recorded with the real UIDVALIDITY before anything is stored under it.
    auto state = mailbox_state(store_, config_.name);
    const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    if (!state) {
      set_mailbox_state(store_, config_.name, {uidvalidity_, 0, now});
      state = mailbox_state(store_, config_.name);
    } else if (state->uidvalidity != uidvalidity_) {
      if (state->uidvalidity != 0)
        log_event(spdlog::level::warn, Event::imap_uidvalidity_changed,
                  {{"mailbox", config_.name}, {"old", std::to_string(state->uidvalidity)},
                   {"new", std::to_string(uidvalidity_)}});
      set_mailbox_state(store_, config_.name, {uidvalidity_, 0, state->first_seen});
      forget_unmarked_except(store_, config_.name, uidvalidity_);
      state->last_uid = 0;
    }

    // Marks owed after a crash between commit and mark: those still on the server.
    std::vector<std::int64_t> owed = unmarked_uids(store_, config_.name, uidvalidity_);
    if (!owed.empty()) {
      std::vector<std::int64_t> present = search("UID " + imap::uid_set(owed));
      std::vector<std::int64_t> gone;
      std::set_difference(owed.begin(), owed.end(), present.begin(), present.end(),
                          std::back_inserter(gone));
      forget_unmarked(store_, config_.name, uidvalidity_, gone);
      for (std::int64_t uid : present) {
        Listed l;
        l.item.key = std::to_string(uidvalidity_) + ":" + std::to_string(uid);
        l.item.uidvalidity = uidvalidity_;
        l.item.uid = uid;
        l.stored = true;
        listed_.push_back(std::move(l));
      }
    }

    // New mail: UIDs above the checkpoint ("n:*" also names the highest UID when all are
    // below n, hence the filter), with size and INTERNALDATE (arrival, for the first run).
    std::vector<std::int64_t> fresh;
    for (std::int64_t uid : search("UID " + std::to_string(state->last_uid + 1) + ":*"))
      if (uid > state->last_uid) fresh.push_back(uid);
    if (!fresh.empty()) {
      std::map<std::int64_t, imap::FetchData> meta;
      auto res = c.run("UID FETCH " + imap::uid_set(fresh) + " (UID RFC822.SIZE INTERNALDATE)");
      for (auto& r : res.untagged)
        if (auto f = imap::parse_fetch(std::move(r)); f && f->uid > 0) meta[f->uid] = std::move(*f);
      for (std::int64_t uid : fresh) {
        auto m = meta.find(uid);
        if (m == meta.end()) continue;  // expunged meanwhile
        Listed l;
        l.item.key = std::to_string(uidvalidity_) + ":" + std::to_string(uid);
        l.item.uidvalidity = uidvalidity_;
        l.item.uid = uid;
        l.item.arrived = m->second.internal_date;
        l.size = m->second.size;
        listed_.push_back(std::move(l));
      }
    }
    std::sort(listed_.begin(), listed_.end(),
              [](const Listed& a, const Listed& b) { return a.item.uid < b.item.uid; });
    std::vector<SourceItem> out;
    for (std::size_t i = 0; i < listed_.size(); ++i) {
      index_[listed_[i].item.uid] = i;
      out.push_back(listed_[i].item);
    }
    failures_ = 0;
    if (!out.empty())
      log_event(spdlog::level::debug, Event::imap_pending,
                {{"mailbox", config_.name}, {"count", std::to_string(out.size())},
                 {"owed_marks", std::to_string(owed.size())}});
    return out;
  });
}

// Fetches the bodies of listed_[from] and the next ones (up to kBatchCount mails and
// kBatchBytes) in one UID FETCH; a mail above max_message_size alone and cut at that size.
void ImapSource::fetch_batch(std::size_t from) {
  ImapConnection& c = connection();
  const std::int64_t limit = static_cast<std::int64_t>(config_.max_message_size);
  if (listed_[from].size > limit) {
    const std::int64_t uid = listed_[from].item.uid;
    auto res = c.run("UID FETCH " + std::to_string(uid) + " (UID BODY.PEEK[]<0." +
                     std::to_string(limit) + ">)");
    for (auto& r : res.untagged)
      if (auto f = imap::parse_fetch(std::move(r)); f && f->uid == uid && f->body)
        cache_[uid] = std::move(*f->body);
    log_event(spdlog::level::warn, Event::imap_message_truncated,
              {{"mailbox", config_.name}, {"uid", std::to_string(uid)},
               {"size", std::to_string(listed_[from].size)}, {"limit", std::to_string(limit)}});
    return;
  }
  std::vector<std::int64_t> uids;
  std::size_t bytes = 0;
  for (std::size_t i = from; i < listed_.size() && uids.size() < kBatchCount; ++i) {
    const Listed& l = listed_[i];
    if (l.stored || cache_.count(l.item.uid)) continue;
    if (l.size > limit) break;
    const std::size_t size = l.size > 0 ? static_cast<std::size_t>(l.size) : 0;
    if (!uids.empty() && bytes + size > kBatchBytes) break;
    uids.push_back(l.item.uid);
    bytes += size;
  }
  if (uids.empty() || listed_[from].item.uid == fetch_alone_) uids = {listed_[from].item.uid};
  fetching_ = uids.size();
  // At most the limit of each, whatever RFC822.SIZE said: a server that under-reports a size
  // cannot send a literal over the limit (which would end the connection at that mail on every
  // pass). A NO is tried again for the one UID alone, which then is that UID's failure.
  const std::string body = " (UID BODY.PEEK[]<0." + std::to_string(limit) + ">)";
  auto res = c.run("UID FETCH " + imap::uid_set(uids) + body, true);
  if (res.done.status == "NO" && uids.size() > 1) {
    uids = {listed_[from].item.uid};
    res = c.run("UID FETCH " + imap::uid_set(uids) + body, true);
  }
  if (res.done.status == "NO")
    throw ItemError("UID FETCH " + std::to_string(uids.front()) + " refused: " + res.done.text);
  for (auto& r : res.untagged)
    if (auto f = imap::parse_fetch(std::move(r)); f && f->uid > 0 && f->body)
      cache_[f->uid] = std::move(*f->body);
}

std::string ImapSource::fetch(const SourceItem& item) {
  auto hit = cache_.find(item.uid);
  if (hit == cache_.end()) {
    auto pos = index_.find(item.uid);
    if (pos == index_.end() || item.uidvalidity != uidvalidity_)
      throw SourceError("imap fetch of an item not listed by the last pending()");
    try {
      guarded([&] { fetch_batch(pos->second); });
    } catch (const ItemError&) {
      throw;
    } catch (const SourceError& e) {
      // The connection ended during the FETCH. Dovecot, for one, answers an internal error
      // reading a mail with BYE: alone, it is that mail's failure; in a batch, it is fetched
      // alone on the next attempt. The reconnect backoff stands either way.
      if (fetching_ == 1 && fetch_alone_ == item.uid) {
        fetch_alone_ = 0;
        throw ItemError(std::string("UID FETCH ") + std::to_string(item.uid) + " ended the connection: " + e.what());
      }
      fetch_alone_ = item.uid;
      throw;
    }
    hit = cache_.find(item.uid);
    // An OK without the body: expunged meanwhile (then the next listing drops it), or a mail
    // the server cannot read.
    if (hit == cache_.end())
      throw ItemError("UID " + std::to_string(item.uid) + ": the server sent no body");
  }
  std::string raw = std::move(hit->second);
  cache_.erase(hit);
  return raw;
}

void ImapSource::mark_processed(const SourceItem& item) {
  if (item.uidvalidity != uidvalidity_) return;  // a stale item; its mark stays owed
  marks_.push_back(item.uid);
  const bool last = !listed_.empty() && item.uid == listed_.back().item.uid;
  if (last || marks_.size() >= kMarkBatch) guarded([&] { flush_marks(); });
}

void ImapSource::mark_all_processed(const std::vector<SourceItem>& items) {
  for (const SourceItem& item : items)
    if (item.uidvalidity == uidvalidity_) marks_.push_back(item.uid);  // stale ones stay owed
  guarded([&] { flush_marks(); });
}

// One UID STORE (or MOVE) for the queued UIDs, each of which is committed in the store.
void ImapSource::flush_marks() {
  if (marks_.empty()) return;
  ImapConnection& c = connection();
  const std::string set = imap::uid_set(marks_);
  if (config_.after_processing == "seen") {
    c.run("UID STORE " + set + " +FLAGS.SILENT (\\Seen)");
  } else {
    const std::string dest = imap::mailbox_argument(config_.after_processing.substr(5));
    if (c.has_capability("MOVE")) {
      c.run("UID MOVE " + set + " " + dest);
    } else {
      // The copy first; only a successful copy allows removing the original, and then only
      // these UIDs (UID EXPUNGE, RFC 4315) — without UIDPLUS it is flagged, not expunged.
      c.run("UID COPY " + set + " " + dest);
      c.run("UID STORE " + set + " +FLAGS.SILENT (\\Seen \\Deleted)");
      if (c.has_capability("UIDPLUS")) c.run("UID EXPUNGE " + set);
    }
  }
  forget_unmarked(store_, config_.name, uidvalidity_, marks_);
  log_event(spdlog::level::debug, Event::imap_marked,
            {{"mailbox", config_.name}, {"count", std::to_string(marks_.size())},
             {"how", config_.after_processing}});
  marks_.clear();
}

void ImapSource::watch(std::function<void()> on_new_mail) {
  if (!config_.idle || watcher_.joinable()) return;
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) return;  // no watcher: polling still works
  stopping_ = false;
  watcher_ = std::thread([this, cb = std::move(on_new_mail)] { watch_loop(cb); });
}

void ImapSource::stop_watching() {
  if (!watcher_.joinable()) return;
  stopping_ = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(stop_fd_, &one, sizeof one);
  watcher_.join();
  ::close(stop_fd_);
  stop_fd_ = -1;
}

// The IDLE thread: its own connection, EXAMINE (read-only), IDLE; EXISTS -> on_new_mail.
void ImapSource::watch_loop(std::function<void()> on_new_mail) {
  int attempt = 0;
  bool reconnect = false;
  while (!stopping_) {
    try {
      ImapConnection c(settings());
      if (!c.has_capability("IDLE")) {
        log_event(spdlog::level::info, Event::imap_idle_unsupported, {{"mailbox", config_.name}});
        return;  // the poll timer is the fallback
      }
      c.run("EXAMINE " + imap::mailbox_argument(url_.folder));
      log_event(spdlog::level::info, Event::imap_idle_started,
                {{"mailbox", config_.name}, {"renew_minutes", std::to_string(idle_renew.count())}});
      if (reconnect) {  // mail may have arrived while the connection was down
        server_back_ = true;
        on_new_mail();
      }
      reconnect = true;
      attempt = 0;
      while (!stopping_) {
        const std::string tag = c.send_command("IDLE");
        for (;;) {
          auto r = c.read(c.settings().timeout, stop_fd_);
          if (!r) break;  // stopping
          if (r->type == imap::Response::Type::continuation) break;
          if (r->type == imap::Response::Type::tagged && r->tag == tag)
            throw SourceError("IDLE refused: " + r->status + " " + r->text);
        }
        const auto renew_at = std::chrono::steady_clock::now() + idle_renew;
        while (!stopping_) {
          const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
              renew_at - std::chrono::steady_clock::now());
          if (left.count() <= 0) break;
          auto r = c.read(left, stop_fd_, false);
          if (!r) break;
          if (r->status == "BYE") throw SourceError("server said BYE: " + r->text);
          if (r->keyword() == "EXISTS") {
            log_event(spdlog::level::info, Event::imap_idle_woke, {{"mailbox", config_.name}});
            on_new_mail();
          }
        }
        c.send_raw("DONE\r\n");
        for (;;) {
          auto r = c.read(c.settings().timeout);
          if (r->type == imap::Response::Type::tagged && r->tag == tag) break;
        }
      }
      c.logout();
      return;
    } catch (const SourceError& e) {
      if (stopping_) return;
      const auto delay = imap::backoff_delay(attempt++, backoff_base, backoff_max, random01());
      log_event(spdlog::level::warn, Event::imap_reconnect_backoff,
                {{"mailbox", config_.name}, {"connection", "idle"},
                 {"attempt", std::to_string(attempt)}, {"delay_ms", ms_text(delay)},
                 {"error", e.what()}});
      pollfd p{stop_fd_, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(delay.count()));
    } catch (const std::exception& e) {
      // A bug, not a server failure: log it and leave the mailbox to the poll timer.
      log_event(spdlog::level::err, Event::imap_idle_failed, {{"mailbox", config_.name}, {"error", e.what()}});
      return;
    }
  }
}

}  // namespace madoguchi::daemon
