// message.cpp — see message.h.
#include "templates/message.h"

#include "templates/mime_parts.h"

#include <iconv.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdint>

namespace madoguchi::templates {
namespace {

using mime::base64;

bool is_plain_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80 || c < 0x20) return false;
  // "=?" would be read as an encoded word by the receiver.
  return s.find("=?") == std::string_view::npos;
}

std::size_t utf8_len(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 6) return 2;
  if ((lead >> 4) == 14) return 3;
  if ((lead >> 3) == 30) return 4;
  return 1;  // invalid lead byte: treat as a single byte
}

std::string normalize_crlf(std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 32);
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < body.size() && body[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

// Header text in the message's charset (ISO-2022-JP words only when the whole mail is).
std::string header_text(std::string_view utf8, bool jis) {
  if (jis) {
    if (auto e = encode_header_text_iso2022jp(utf8)) return *e;
  }
  return encode_header_text(utf8);
}

std::string mailbox(std::string_view name, std::string_view address, bool jis) {
  std::string addr = sanitize_header_value(address);
  // An address is never encoded: keep only what an addr-spec may hold, so that "<", ">" or
  // "," from a customer's header cannot add a second recipient or a header.
  std::erase_if(addr, [](char c) { return c == '<' || c == '>' || c == ',' || c == ' ' || c == ';' || c == '"'; });
  if (name.empty()) return "<" + addr + ">";
  std::string n = sanitize_header_value(name);
  if (is_plain_ascii(n)) {
    std::string q = "\"";
    for (char c : n) {
      if (c == '"' || c == '\\') q += '\\';
      q += c;
    }
    return q + "\" <" + addr + ">";
  }
  return header_text(n, jis) + " <" + addr + ">";
}

// A msg-id from our store or the customer's References: nothing that could close the
// brackets or start another header.
std::string msg_id(std::string_view id) {
  std::string out = sanitize_header_value(id);
  std::erase_if(out, [](char c) { return c == '<' || c == '>' || c == ' '; });
  return "<" + out + ">";
}

// Code points glibc's ISO-2022-JP encoder rejects but whose JIS X 0208 twin every Japanese
// reader shows as the same character (LIBRARY-FACTS.md).
std::string map_for_jis(std::string_view utf8) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kMap{{
      {"\xEF\xBD\x9E", "\xE3\x80\x9C"},  // U+FF5E FULLWIDTH TILDE -> U+301C WAVE DASH
      {"\xE2\x88\xA5", "\xE2\x80\x96"},  // U+2225 PARALLEL TO -> U+2016 DOUBLE VERTICAL LINE
      {"\xEF\xBC\x8D", "\xE2\x88\x92"},  // U+FF0D FULLWIDTH HYPHEN-MINUS -> U+2212 MINUS
      {"\xEF\xBF\xA0", "\xC2\xA2"},       // U+FFE0 -> U+00A2 CENT
      {"\xEF\xBF\xA1", "\xC2\xA3"},       // U+FFE1 -> U+00A3 POUND
      {"\xEF\xBF\xA2", "\xC2\xAC"},       // U+FFE2 -> U+00AC NOT
      {"\xE2\x80\x94", "\xE2\x80\x95"},  // U+2014 EM DASH -> U+2015 HORIZONTAL BAR
  }};
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size();) {
    bool mapped = false;
    if (static_cast<unsigned char>(utf8[i]) >= 0xC2) {
      for (const auto& [from, to] : kMap) {
        if (utf8.compare(i, from.size(), from) == 0) {
          out += to;
          i += from.size();
          mapped = true;
          break;
        }
      }
    }
    if (!mapped) out += utf8[i++];
  }
  return out;
}

bool lines_fit(std::string_view crlf_text) {
  std::size_t start = 0;
  while (start < crlf_text.size()) {
    auto end = crlf_text.find("\r\n", start);
    if (end == std::string_view::npos) end = crlf_text.size();
    if (end - start > 998) return false;
    start = end + 2;
  }
  return true;
}

}  // namespace

std::optional<std::string> to_iso2022jp(std::string_view utf8) {
  const std::string in = map_for_jis(utf8);
  iconv_t cd = iconv_open("ISO-2022-JP", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(in.size() * 4 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
  char* dst = out.data();
  std::size_t dst_left = out.size();
  bool ok = iconv(cd, &src, &src_left, &dst, &dst_left) != static_cast<std::size_t>(-1);
  // Flush: the shift back to ASCII at the end.
  if (ok) ok = iconv(cd, nullptr, nullptr, &dst, &dst_left) != static_cast<std::size_t>(-1);
  iconv_close(cd);
  if (!ok) return std::nullopt;
  out.resize(out.size() - dst_left);
  for (unsigned char c : out)
    if (c >= 0x80) return std::nullopt;  // never 8-bit in a 7bit part
  return out;
}

std::optional<std::string> encode_header_text_iso2022jp(std::string_view utf8) {
  const std::string text = sanitize_header_value(utf8);
  if (is_plain_ascii(text)) return text;
  if (!to_iso2022jp(text)) return std::nullopt;
  // "=?ISO-2022-JP?B?" + payload + "?=" within 75 characters: 56 base64 characters, so at
  // most 42 bytes of ISO-2022-JP (escapes included) per word. Each word is converted on its
  // own, so it starts and ends in ASCII (RFC 1468).
  constexpr std::size_t kMaxBytes = 42;
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = i;
    std::string best;
    while (end < text.size()) {
      std::size_t len = utf8_len(static_cast<unsigned char>(text[end]));
      if (end + len > text.size()) len = text.size() - end;
      auto enc = to_iso2022jp(std::string_view(text).substr(i, end + len - i));
      if (!enc) return std::nullopt;
      if (enc->size() > kMaxBytes && end > i) break;
      best = std::move(*enc);
      end += len;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?ISO-2022-JP?B?" + base64(best) + "?=";
    i = end;
  }
  return out;
}

std::string quoted_printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t col = 0;
  auto put = [&](std::string_view token) {
    if (col + token.size() > 75) {  // soft break: "=" makes the 76th character
      out += "=\r\n";
      col = 0;
    }
    out += token;
    col += token.size();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      out += "\r\n";
      col = 0;
      ++i;
      continue;
    }
    const bool at_eol = i + 1 == text.size() || text[i + 1] == '\r';
    const bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_eol);
    if (literal) {
      const char ch = static_cast<char>(c);
      put(std::string_view(&ch, 1));
    } else {
      const char esc[3] = {'=', kHex[c >> 4], kHex[c & 15]};
      put(std::string_view(esc, 3));
    }
  }
  return out;
}

bool parse_body_encoding(std::string_view name, BodyEncoding& out) {
  if (name == "utf-8" || name == "utf-8-base64") out = BodyEncoding::utf8_base64;
  else if (name == "utf-8-qp" || name == "utf-8-quoted-printable") out = BodyEncoding::utf8_quoted_printable;
  else if (name == "iso-2022-jp") out = BodyEncoding::iso2022jp;
  else return false;
  return true;
}

std::string sanitize_header_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
  return out;
}

std::string encode_header_text(std::string_view utf8) {
  std::string text = sanitize_header_value(utf8);
  if (is_plain_ascii(text)) return text;
  // "=?UTF-8?B?" + payload + "?=" must stay within 75 characters: 63 base64 characters,
  // i.e. at most 45 bytes of UTF-8 per word, cut on character boundaries.
  constexpr std::size_t kMaxBytes = 45;
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t end = i;
    while (end < text.size()) {
      std::size_t len = utf8_len(static_cast<unsigned char>(text[end]));
      if (end + len > text.size()) len = text.size() - end;
      if (end + len - i > kMaxBytes) break;
      end += len;
    }
    if (end == i) end = i + 1;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(std::string_view(text).substr(i, end - i)) + "?=";
    i = end;
  }
  return out;
}

std::string rfc5322_date(std::chrono::sys_seconds t) {
  using namespace std::chrono;
  const auto local = t + hours(9);
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{local - day};
  static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02ld:%02ld:%02ld +0900",
                kDays[weekday{day}.c_encoding()], static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  return buf;
}

std::string compose_message(const OutgoingMessage& m, BodyEncoding* used) {
  const std::string body = normalize_crlf(m.body);
  BodyEncoding enc = m.encoding;
  std::string jis_body;
  if (enc == BodyEncoding::iso2022jp) {
    // The whole mail in ISO-2022-JP or none of it: a reader expects one charset.
    auto b = to_iso2022jp(body);
    bool ok = b && lines_fit(*b) && encode_header_text_iso2022jp(m.subject) &&
              encode_header_text_iso2022jp(m.from_name) && encode_header_text_iso2022jp(m.to_name);
    for (const auto& [name, value] : m.extra_headers) ok = ok && encode_header_text_iso2022jp(value);
    if (ok) jis_body = std::move(*b);
    else enc = BodyEncoding::utf8_base64;
  }
  if (used) *used = enc;
  const bool jis = enc == BodyEncoding::iso2022jp;

  std::string h;
  auto add = [&h](std::string_view name, std::string_view value) {
    h += name;
    h += ": ";
    h += value;
    h += "\r\n";
  };
  add("Date", rfc5322_date(m.date));
  add("From", mailbox(m.from_name, m.from_address, jis));
  add("To", mailbox(m.to_name, m.to_address, jis));
  if (!m.reply_to.empty()) add("Reply-To", mailbox({}, m.reply_to, jis));
  add("Subject", header_text(m.subject, jis));
  add("Message-ID", msg_id(m.message_id));
  if (!m.in_reply_to.empty()) add("In-Reply-To", msg_id(m.in_reply_to));
  if (!m.references.empty()) {
    std::string refs;
    for (const auto& r : m.references) {
      if (!refs.empty()) refs += "\r\n ";
      refs += msg_id(r);
    }
    add("References", refs);
  }
  if (!m.auto_submitted.empty()) add("Auto-Submitted", sanitize_header_value(m.auto_submitted));
  for (const auto& [name, value] : m.extra_headers) {
    std::string field = sanitize_header_value(name);
    std::erase_if(field, [](char c) { return c == ':' || c == ' '; });
    add(field, header_text(value, jis));
  }
  add("MIME-Version", "1.0");
  // The text part: its own header fields (at the top of a single-part mail) and its body.
  std::string text_fields;
  std::string text_body;
  switch (enc) {
    case BodyEncoding::iso2022jp:
      text_fields = "Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n";
      text_body = std::move(jis_body);
      break;
    case BodyEncoding::utf8_quoted_printable:
      text_fields = "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n";
      text_body = quoted_printable(body);
      if (text_body.size() < 2 || text_body.compare(text_body.size() - 2, 2, "\r\n") != 0) text_body += "\r\n";
      break;
    case BodyEncoding::utf8_base64:
      text_fields = "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n";
      text_body = mime::base64_lines(body);
      break;
  }
  if (m.attachments.empty()) {
    h += text_fields;
    h += "\r\n";
    h += text_body;
    return h;
  }
  const std::string b = mime::boundary(m.message_id, {text_body});
  add("Content-Type", "multipart/mixed; boundary=\"" + b + "\"");
  h += "\r\n";
  h += "--" + b + "\r\n" + text_fields + "\r\n" + text_body;
  for (const auto& a : m.attachments) h += "--" + b + "\r\n" + mime::attachment_part(a);
  h += "--" + b + "--\r\n";
  return h;
}

bool split_mail_template(std::string_view text, MailTemplateText& out, std::string& error) {
  constexpr std::string_view kPrefix = "Subject:";
  if (text.substr(0, kPrefix.size()) != kPrefix) {
    error = "a mail template must start with a 'Subject:' line";
    return false;
  }
  auto eol = text.find('\n');
  if (eol == std::string_view::npos) {
    error = "a mail template needs a blank line and a body after the 'Subject:' line";
    return false;
  }
  std::string_view subject = text.substr(kPrefix.size(), eol - kPrefix.size());
  while (!subject.empty() && (subject.front() == ' ')) subject.remove_prefix(1);
  while (!subject.empty() && (subject.back() == '\r' || subject.back() == ' ')) subject.remove_suffix(1);
  std::string_view rest = text.substr(eol + 1);
  if (!rest.empty() && rest.front() == '\r') rest.remove_prefix(1);
  if (rest.empty() || rest.front() != '\n') {
    error = "the 'Subject:' line of a mail template must be followed by a blank line";
    return false;
  }
  out.subject = std::string(subject);
  out.body = std::string(rest.substr(1));
  return true;
}

}  // namespace madoguchi::templates
