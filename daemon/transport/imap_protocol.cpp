// imap_protocol.cpp — see imap_protocol.h.
#include "daemon/transport/imap_protocol.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace madoguchi::daemon::imap {

namespace {

char upper_char(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = upper_char(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (upper_char(a[i]) != upper_char(b[i])) return false;
  return true;
}

std::optional<std::int64_t> to_number(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

// Recursive-descent tokenizer over one framed response.
class Tokenizer {
 public:
  explicit Tokenizer(std::string_view s) : s_(s) {}

  std::vector<Value> all() {
    std::vector<Value> out;
    for (;;) {
      skip_spaces();
      if (pos_ >= s_.size()) return out;
      if (s_[pos_] == ')') throw ProtocolError("unbalanced ')' in response");
      out.push_back(value());
    }
  }

 private:
  void skip_spaces() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }

  Value value() {
    const char c = s_[pos_];
    if (c == '(') return list();
    if (c == '"') return quoted();
    if (c == '{') return literal();
    return atom();
  }

  Value list() {
    Value v;
    v.kind = Value::Kind::list;
    ++pos_;  // '('
    for (;;) {
      skip_spaces();
      if (pos_ >= s_.size()) throw ProtocolError("unterminated list in response");
      if (s_[pos_] == ')') {
        ++pos_;
        return v;
      }
      v.items.push_back(value());
    }
  }

  Value quoted() {
    Value v;
    v.kind = Value::Kind::string;
    ++pos_;  // '"'
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      v.text += s_[pos_++];
    }
    if (pos_ >= s_.size()) throw ProtocolError("unterminated quoted string in response");
    ++pos_;  // closing '"'
    return v;
  }

  Value literal() {
    const auto close = s_.find('}', pos_);
    if (close == std::string_view::npos) throw ProtocolError("malformed literal");
    std::string_view digits = s_.substr(pos_ + 1, close - pos_ - 1);
    if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
    const auto n = to_number(digits);
    if (!n) throw ProtocolError("malformed literal length");
    pos_ = close + 1;
    if (pos_ < s_.size() && s_[pos_] == '\r') ++pos_;
    if (pos_ >= s_.size() || s_[pos_] != '\n') throw ProtocolError("literal without CRLF");
    ++pos_;
    if (s_.size() - pos_ < static_cast<std::size_t>(*n)) throw ProtocolError("short literal");
    Value v;
    v.kind = Value::Kind::literal;
    v.text.assign(s_.substr(pos_, static_cast<std::size_t>(*n)));
    pos_ += static_cast<std::size_t>(*n);
    return v;
  }

  // An atom runs to a space or parenthesis; a '[' section (BODY[HEADER.FIELDS (A B)]<0>)
  // is part of it, spaces and parentheses included.
  Value atom() {
    Value v;
    const std::size_t begin = pos_;
    int depth = 0;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '[') ++depth;
      else if (c == ']' && depth > 0) --depth;
      else if (depth == 0 && (c == ' ' || c == '(' || c == ')')) break;
      ++pos_;
    }
    if (pos_ == begin) throw ProtocolError("empty token in response");
    v.text.assign(s_.substr(begin, pos_ - begin));
    if (iequals(v.text, "NIL")) v.kind = Value::Kind::nil;
    return v;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

bool is_status_word(std::string_view w) {
  return iequals(w, "OK") || iequals(w, "NO") || iequals(w, "BAD") || iequals(w, "BYE") ||
         iequals(w, "PREAUTH");
}

void parse_status(std::string_view rest, Response& r) {
  const auto sp = rest.find(' ');
  r.status = upper(rest.substr(0, sp));
  if (sp == std::string_view::npos) return;
  rest.remove_prefix(sp + 1);
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) throw ProtocolError("unterminated response code");
    r.code.assign(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  }
  r.text.assign(rest);
}

}  // namespace

std::optional<std::int64_t> Value::number() const {
  if (kind != Kind::atom) return std::nullopt;
  return to_number(text);
}

bool Value::is_atom(std::string_view upper_word) const {
  return kind == Kind::atom && iequals(text, upper_word);
}

std::string Response::keyword() const {
  if (data.empty()) return {};
  if (data[0].number() && data.size() > 1 && data[1].kind == Value::Kind::atom)
    return upper(data[1].text);
  return data[0].kind == Value::Kind::atom ? upper(data[0].text) : std::string();
}

void ResponseReader::feed(std::string_view bytes) {
  if (start_ > 0 && start_ == buffer_.size()) {
    buffer_.clear();
    scan_ -= start_;
    start_ = 0;
  } else if (start_ > (std::size_t(1) << 20) && start_ * 2 > buffer_.size()) {
    buffer_.erase(0, start_);
    scan_ -= start_;
    start_ = 0;
  }
  buffer_.append(bytes);
}

std::optional<Response> ResponseReader::next() {
  for (;;) {
    if (scan_ < start_) scan_ = start_;
    if (scan_ > buffer_.size()) return std::nullopt;  // inside a literal, more bytes needed
    const auto lf = buffer_.find('\n', scan_);
    if (lf == std::string::npos) {
      scan_ = buffer_.size();
      return std::nullopt;
    }
    std::size_t end = lf;
    if (end > start_ && buffer_[end - 1] == '\r') --end;
    // Does the line end with a literal announcement "{123}" or "{123+}"?
    if (end > start_ && buffer_[end - 1] == '}') {
      std::size_t p = end - 1;
      std::size_t digits_end = p;
      if (p > start_ && buffer_[p - 1] == '+') --digits_end;
      std::size_t q = digits_end;
      while (q > start_ && buffer_[q - 1] >= '0' && buffer_[q - 1] <= '9') --q;
      if (q < digits_end && q > start_ && buffer_[q - 1] == '{') {
        const auto n = to_number(std::string_view(buffer_).substr(q, digits_end - q));
        if (!n) throw ProtocolError("literal length too large");
        if (static_cast<std::size_t>(*n) > max_literal_)
          throw ProtocolError("literal of " + std::to_string(*n) + " bytes exceeds the limit of " +
                              std::to_string(max_literal_));
        scan_ = lf + 1 + static_cast<std::size_t>(*n);
        if (scan_ > buffer_.capacity()) buffer_.reserve(scan_ + 4096);
        continue;
      }
    }
    Response r = parse_response(std::string_view(buffer_).substr(start_, end - start_));
    start_ = lf + 1;
    scan_ = start_;
    return r;
  }
}

Response parse_response(std::string_view line) {
  Response r;
  if (line.empty()) throw ProtocolError("empty response line");
  if (line[0] == '+') {
    r.type = Response::Type::continuation;
    line.remove_prefix(1);
    if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    r.text.assign(line);
    return r;
  }
  const auto sp = line.find(' ');
  if (sp == std::string_view::npos) throw ProtocolError("response without a space");
  std::string_view rest = line.substr(sp + 1);
  const auto word = rest.substr(0, rest.find(' '));
  if (line.substr(0, sp) == "*") {
    r.type = Response::Type::untagged;
    if (is_status_word(word)) {
      parse_status(rest, r);
    } else {
      r.data = Tokenizer(rest).all();
    }
    return r;
  }
  r.type = Response::Type::tagged;
  r.tag.assign(line.substr(0, sp));
  if (!is_status_word(word)) throw ProtocolError("tagged response without a status");
  parse_status(rest, r);
  return r;
}

std::optional<FetchData> parse_fetch(Response&& r) {
  if (r.type != Response::Type::untagged || r.data.size() < 3 || !r.data[0].number() ||
      !r.data[1].is_atom("FETCH"))
    return std::nullopt;
  if (!r.data[2].is_list()) throw ProtocolError("FETCH without a list");
  FetchData f;
  f.seq = *r.data[0].number();
  auto& items = r.data[2].items;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    const std::string key = upper(items[i].text);
    Value& v = items[i + 1];
    if (key == "UID") {
      f.uid = v.number().value_or(0);
    } else if (key == "RFC822.SIZE") {
      f.size = v.number().value_or(-1);
    } else if (key == "INTERNALDATE") {
      f.internal_date = parse_internal_date(v.text);
    } else if (key == "FLAGS") {
      for (const auto& fl : v.items) f.flags.push_back(fl.text);
    } else if (key.rfind("BODY[]", 0) == 0 || key == "RFC822") {
      f.body = v.kind == Value::Kind::nil ? std::string() : std::move(v.text);
    }
  }
  return f;
}

std::optional<std::chrono::sys_seconds> parse_internal_date(std::string_view s) {
  // dd-Mon-yyyy hh:mm:ss +zzzz, the day may be space-padded.
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  static const char* months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                 "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  const auto d1 = s.find('-');
  if (d1 == std::string_view::npos || d1 > 2) return std::nullopt;
  const auto day = to_number(s.substr(0, d1));
  if (!day || s.size() < d1 + 1 + 3 + 1 + 4 + 1 + 8 + 1 + 5) return std::nullopt;
  const std::string mon = upper(s.substr(d1 + 1, 3));
  int month = 0;
  for (int i = 0; i < 12; ++i)
    if (mon == months[i]) month = i + 1;
  std::string_view rest = s.substr(d1 + 5);
  const auto year = to_number(rest.substr(0, 4));
  const auto hh = to_number(rest.substr(5, 2));
  const auto mm = to_number(rest.substr(8, 2));
  const auto ss = to_number(rest.substr(11, 2));
  const std::string_view zone = rest.substr(14, 5);
  const auto zh = to_number(zone.substr(1, 2));
  const auto zm = to_number(zone.substr(3, 2));
  if (!month || !year || !hh || !mm || !ss || !zh || !zm || (zone[0] != '+' && zone[0] != '-') ||
      rest[4] != ' ' || rest[7] != ':' || rest[10] != ':' || rest[13] != ' ')
    return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{static_cast<int>(*year)},
                           std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) return std::nullopt;
  const seconds offset = hours(*zh) + minutes(*zm);
  sys_seconds t = sys_days(ymd) + hours(*hh) + minutes(*mm) + seconds(*ss);
  return zone[0] == '+' ? t - offset : t + offset;
}

std::string format_internal_date(std::chrono::sys_seconds t) {
  using namespace std::chrono;
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02u-%s-%04d %02d:%02d:%02d +0000",
                static_cast<unsigned>(ymd.day()), months[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

std::vector<std::int64_t> search_numbers(const Response& r) {
  std::vector<std::int64_t> out;
  if (r.type != Response::Type::untagged || r.data.empty() || !r.data[0].is_atom("SEARCH"))
    return out;
  for (std::size_t i = 1; i < r.data.size(); ++i)
    if (auto n = r.data[i].number()) out.push_back(*n);
  return out;
}

std::vector<std::string> capabilities(const Response& r) {
  std::vector<std::string> out;
  if (!r.data.empty() && r.data[0].is_atom("CAPABILITY")) {
    for (std::size_t i = 1; i < r.data.size(); ++i) out.push_back(upper(r.data[i].text));
  } else if (r.code.size() > 11 && iequals(r.code.substr(0, 11), "CAPABILITY ")) {
    std::string_view rest(r.code);
    rest.remove_prefix(11);
    while (!rest.empty()) {
      const auto sp = rest.find(' ');
      if (sp != 0) out.push_back(upper(rest.substr(0, sp)));
      if (sp == std::string_view::npos) break;
      rest.remove_prefix(sp + 1);
    }
  }
  return out;
}

std::optional<std::int64_t> code_number(const Response& r, std::string_view name) {
  std::string_view code(r.code);
  if (code.size() <= name.size() + 1 || !iequals(code.substr(0, name.size()), name) ||
      code[name.size()] != ' ')
    return std::nullopt;
  code.remove_prefix(name.size() + 1);
  return to_number(code.substr(0, code.find(' ')));
}

std::string encode_modified_utf7(std::string_view utf8) {
  // Decode UTF-8 to code points; invalid bytes become U+FFFD.
  std::vector<char32_t> cps;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > utf8.size()) {
      cps.push_back(0xFFFD);
      ++i;
      continue;
    }
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    cps.push_back(cp);
    i += len;
  }
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
  std::string out;
  for (std::size_t i = 0; i < cps.size();) {
    if (cps[i] >= 0x20 && cps[i] <= 0x7E) {
      out += cps[i] == '&' ? std::string("&-") : std::string(1, static_cast<char>(cps[i]));
      ++i;
      continue;
    }
    std::vector<unsigned char> utf16;
    for (; i < cps.size() && !(cps[i] >= 0x20 && cps[i] <= 0x7E); ++i) {
      char32_t cp = cps[i];
      if (cp >= 0x10000) {
        cp -= 0x10000;
        const char32_t hi = 0xD800 + (cp >> 10), lo = 0xDC00 + (cp & 0x3FF);
        utf16.insert(utf16.end(), {static_cast<unsigned char>(hi >> 8), static_cast<unsigned char>(hi & 0xFF),
                                   static_cast<unsigned char>(lo >> 8), static_cast<unsigned char>(lo & 0xFF)});
      } else {
        utf16.insert(utf16.end(), {static_cast<unsigned char>(cp >> 8), static_cast<unsigned char>(cp & 0xFF)});
      }
    }
    out += '&';
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char b : utf16) {
      acc = (acc << 8) | b;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out += b64[(acc >> bits) & 0x3F];
      }
    }
    if (bits > 0) out += b64[(acc << (6 - bits)) & 0x3F];
    out += '-';
  }
  return out;
}

std::string mailbox_argument(std::string_view utf8_name) {
  if (iequals(utf8_name, "INBOX")) return "INBOX";
  const std::string name = encode_modified_utf7(utf8_name);
  const bool atom = !name.empty() && std::none_of(name.begin(), name.end(), [](char c) {
    return c <= ' ' || c == 0x7F || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' ||
           c == '"' || c == '\\' || c == ']';
  });
  if (atom) return name;
  std::string q = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + '"';
}

std::string uid_set(std::vector<std::int64_t> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  std::string out;
  for (std::size_t i = 0; i < uids.size();) {
    std::size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(uids[i]);
    if (j > i) out += ':' + std::to_string(uids[j]);
    i = j + 1;
  }
  return out;
}

std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base,
                                        std::chrono::milliseconds max, double random01) {
  double ms = static_cast<double>(base.count()) * std::pow(2.0, std::clamp(attempt, 0, 30));
  ms = std::min(ms, static_cast<double>(max.count()));
  ms *= 0.5 + 0.5 * std::clamp(random01, 0.0, 0.999999);
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

}  // namespace madoguchi::daemon::imap
