// imap_protocol.h — the IMAP4rev1 wire format (RFC 3501), without any IO.
//
// Why our own: libcurl's IMAP support cannot fetch with BODY.PEEK[] (it sets \Seen before we
// have stored anything), drops the literal of a custom FETCH, cannot IDLE, and Debian caps a
// custom command's response at a few hundred lines (LIBRARY-FACTS.md). libcurl still makes the
// connection (TLS, certificate check, LOGIN/SASL/XOAUTH2); this file frames and parses what
// the server sends afterwards and formats what we send. It is fed bytes and hands out whole
// responses, so it is tested on recorded server transcripts without a socket.
//
// A response is one line, possibly interrupted by literals (`{n}` CRLF then n bytes), ended
// by CRLF. Framing is incremental: a 30 MB literal is scanned once, not once per read.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace madoguchi::daemon::imap {

// The server sent something that is not IMAP (or a literal above the configured limit).
struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One token of a response: an atom (numbers and NIL included), a quoted string, a literal,
// or a parenthesised list.
struct Value {
  enum class Kind { atom, string, literal, nil, list };
  Kind kind = Kind::atom;
  std::string text;          // atom, string or literal contents
  std::vector<Value> items;  // list

  bool is_list() const { return kind == Kind::list; }
  // Atom as an unsigned number; nullopt when it is not one.
  std::optional<std::int64_t> number() const;
  // Case-insensitive comparison of an atom.
  bool is_atom(std::string_view upper) const;
};

struct Response {
  enum class Type { untagged, tagged, continuation };
  Type type = Type::untagged;
  std::string tag;     // tagged only
  // Status responses (OK, NO, BAD, BYE, PREAUTH): the status word in upper case, the
  // response code inside [...] without brackets ("UIDVALIDITY 1700000000"), and the text.
  std::string status;
  std::string code;
  std::string text;
  // Other untagged data: the tokens after "* " ("3", "EXISTS" / "SEARCH", "1", "2" / ...).
  std::vector<Value> data;

  bool ok() const { return status == "OK"; }
  // The upper-case keyword of untagged data: "EXISTS" for "* 3 EXISTS", "SEARCH" for
  // "* SEARCH 1 2", "" when none.
  std::string keyword() const;
};

// Incremental framer + parser. feed() bytes as they arrive, then call next() until nullopt.
class ResponseReader {
 public:
  // `max_literal`: a literal announced bigger than this is a ProtocolError (memory cap).
  explicit ResponseReader(std::size_t max_literal = std::size_t(1) << 31)
      : max_literal_(max_literal) {}
  void feed(std::string_view bytes);
  // The next complete response, or nullopt when more bytes are needed. Throws ProtocolError.
  std::optional<Response> next();
  // Bytes received but not yet returned as a response.
  std::size_t buffered() const { return buffer_.size() - start_; }
  void set_max_literal(std::size_t n) { max_literal_ = n; }

 private:
  std::size_t max_literal_;
  std::string buffer_;
  std::size_t start_ = 0;  // first byte of the response being framed
  std::size_t scan_ = 0;   // where to resume looking for the end of it
};

// Parses one framed response (without its final CRLF). Throws ProtocolError.
Response parse_response(std::string_view line);

// ---- What the server's data means -------------------------------------------------------

// One "* n FETCH (...)" response.
struct FetchData {
  std::int64_t seq = 0;
  std::int64_t uid = 0;
  std::int64_t size = -1;                              // RFC822.SIZE
  std::optional<std::chrono::sys_seconds> internal_date;
  std::vector<std::string> flags;
  std::optional<std::string> body;                     // BODY[] or BODY[]<0> contents
};
// nullopt when `r` is not a FETCH response. Throws ProtocolError when it is malformed.
std::optional<FetchData> parse_fetch(Response&& r);

// "17-Jul-1996 02:44:25 -0700" -> UTC seconds; nullopt when malformed.
std::optional<std::chrono::sys_seconds> parse_internal_date(std::string_view s);
// UTC seconds -> "17-Jul-1996 02:44:25 +0000" (for APPEND).
std::string format_internal_date(std::chrono::sys_seconds t);

// The numbers of "* SEARCH 1 2 3" (empty for another response).
std::vector<std::int64_t> search_numbers(const Response& r);
// The capabilities of "* CAPABILITY ..." or of an OK [CAPABILITY ...] code, upper case.
std::vector<std::string> capabilities(const Response& r);
// The number after `name` in a response code ("UIDVALIDITY 42" -> 42 for "UIDVALIDITY").
std::optional<std::int64_t> code_number(const Response& r, std::string_view name);

// ---- What we send ----------------------------------------------------------------------

// A mailbox name as an IMAP astring: UTF-8 -> modified UTF-7 (RFC 3501 5.1.3), quoted when
// it is not a plain atom ("処理済み" -> "&UeZ0BrBfVX8-").
std::string mailbox_argument(std::string_view utf8_name);
std::string encode_modified_utf7(std::string_view utf8);
// Sorted UIDs -> a compact sequence set "1:3,7,9:10". Empty input gives "".
std::string uid_set(std::vector<std::int64_t> uids);

// Delay before reconnect attempt `attempt` (0 = first retry): base * 2^attempt capped at
// `max`, times a jitter factor in [0.5, 1.0) from `random01` (a value in [0, 1)).
std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base,
                                        std::chrono::milliseconds max, double random01);

}  // namespace madoguchi::daemon::imap
