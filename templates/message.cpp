// message.cpp — see message.h.
#include "templates/message.h"

#include <array>
#include <cstdio>
#include <cstdint>

namespace madoguchi::templates {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    std::uint32_t v = (std::uint8_t(in[i]) << 16) | (std::uint8_t(in[i + 1]) << 8) | std::uint8_t(in[i + 2]);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i < in.size()) {
    std::uint32_t v = std::uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= std::uint8_t(in[i + 1]) << 8;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += (i + 1 < in.size()) ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

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

std::string mailbox(std::string_view name, std::string_view address) {
  std::string addr = sanitize_header_value(address);
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
  return encode_header_text(n) + " <" + addr + ">";
}

}  // namespace

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

std::string compose_message(const OutgoingMessage& m) {
  std::string h;
  auto add = [&h](std::string_view name, std::string_view value) {
    h += name;
    h += ": ";
    h += value;
    h += "\r\n";
  };
  add("Date", rfc5322_date(m.date));
  add("From", mailbox(m.from_name, m.from_address));
  add("To", mailbox(m.to_name, m.to_address));
  if (!m.reply_to.empty()) add("Reply-To", "<" + sanitize_header_value(m.reply_to) + ">");
  add("Subject", encode_header_text(m.subject));
  add("Message-ID", "<" + sanitize_header_value(m.message_id) + ">");
  if (!m.in_reply_to.empty()) add("In-Reply-To", "<" + sanitize_header_value(m.in_reply_to) + ">");
  if (!m.references.empty()) {
    std::string refs;
    for (const auto& r : m.references) {
      if (!refs.empty()) refs += "\r\n ";
      refs += "<" + sanitize_header_value(r) + ">";
    }
    add("References", refs);
  }
  if (!m.auto_submitted.empty()) add("Auto-Submitted", m.auto_submitted);
  for (const auto& [name, value] : m.extra_headers)
    add(sanitize_header_value(name), encode_header_text(value));
  add("MIME-Version", "1.0");
  add("Content-Type", "text/plain; charset=UTF-8");
  add("Content-Transfer-Encoding", "base64");
  h += "\r\n";
  const std::string encoded = base64(normalize_crlf(m.body));
  for (std::size_t i = 0; i < encoded.size(); i += 76) {
    h.append(encoded, i, 76);
    h += "\r\n";
  }
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
