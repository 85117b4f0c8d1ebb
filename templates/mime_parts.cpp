// mime_parts.cpp — see mime_parts.h.
#include "templates/mime_parts.h"

#include "templates/message.h"

#include <cstdint>
#include <cstdio>

namespace madoguchi::templates::mime {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '!' || c == '#' || c == '$' || c == '&' ||
         c == '^' || c == '_' || c == '.' || c == '+' || c == '-';
}

// RFC 2231 / RFC 5987 value: attr-chars stay, every other byte is %XX.
std::string percent_encoded(std::string_view utf8) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : utf8) {
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '!' || c == '#' || c == '$' || c == '&' || c == '+' || c == '-' || c == '.' ||
                      c == '^' || c == '_' || c == '`' || c == '|' || c == '~';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

}  // namespace

std::string base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t v = (std::uint8_t(in[i]) << 16) | (std::uint8_t(in[i + 1]) << 8) | std::uint8_t(in[i + 2]);
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

std::string base64_lines(std::string_view in) {
  const std::string encoded = base64(in);
  std::string out;
  out.reserve(encoded.size() + encoded.size() / 38 + 2);
  for (std::size_t i = 0; i < encoded.size(); i += 76) {
    out.append(encoded, i, 76);
    out += "\r\n";
  }
  return out;
}

std::string safe_filename(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '/' || c == ':') continue;
    out += static_cast<char>(c);
  }
  // Cut at a character boundary; drop what a cut or the source left incomplete at the end.
  if (out.size() > kMaxFilenameBytes) {
    std::size_t cut = kMaxFilenameBytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(0, 1);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? "attachment" : out;
}

std::string safe_content_type(std::string_view type) {
  std::string t;
  for (char c : type) t += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  const auto slash = t.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == t.size() || t.size() > 100)
    return "application/octet-stream";
  for (std::size_t i = 0; i < t.size(); ++i)
    if (i != slash && !is_token_char(t[i])) return "application/octet-stream";
  return t;
}

std::string boundary(std::string_view seed, const std::vector<std::string_view>& texts) {
  // FNV-1a of the seed: the same message gets the same boundary (reproducible tests).
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : seed) h = (h ^ c) * 1099511628211ull;
  for (unsigned salt = 0;; ++salt) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "=_mg_%016llx_%u", static_cast<unsigned long long>(h), salt);
    bool found = false;
    for (std::string_view t : texts) found = found || t.find(buf) != std::string_view::npos;
    if (!found) return buf;
  }
}

std::string attachment_part(const OutgoingAttachment& a) {
  const std::string name = safe_filename(a.filename);
  std::string type_params;
  std::string disposition = "attachment";
  if (is_ascii(name)) {
    type_params = "; name=\"" + name + "\"";
    disposition += "; filename=\"" + name + "\"";
  } else {
    // RFC 2047 words are folded by encode_header_text; inside quotes they are what Outlook
    // and older Japanese clients read, filename* is what RFC 2231 readers prefer.
    type_params = ";\r\n name=\"" + encode_header_text(name) + "\"";
    disposition += ";\r\n filename*=UTF-8''" + percent_encoded(name);
  }
  std::string part = "Content-Type: " + safe_content_type(a.content_type) + type_params + "\r\n";
  part += "Content-Disposition: " + disposition + "\r\n";
  part += "Content-Transfer-Encoding: base64\r\n\r\n";
  part += base64_lines(a.content);
  return part;
}

}  // namespace madoguchi::templates::mime
