// mime.cpp — header splitting, structured parameters (RFC 2045/2231), multipart splitting.
#include "parsers/mime.h"

#include "parsers/charset.h"
#include "parsers/encoded_words.h"

#include <algorithm>
#include <map>

namespace madoguchi::parsers {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool valid_field_name(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) return false;
  }
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Decodes a non-RFC 2231 parameter value: encoded-words (against the RFC, but every mailer
// writes them in file names) and raw 8-bit text.
std::string decode_plain_param(std::string_view v, bool& bad) {
  bool needs = v.find("=?") != std::string_view::npos;
  for (unsigned char c : v)
    if (c >= 0x80 || c == 0x1B) { needs = true; break; }
  if (!needs) return std::string(v);
  EncodedWordsResult r = decode_encoded_words(v);
  if (r.bad_word || r.invalid_bytes) bad = true;
  return r.text;
}

struct Segment2231 {
  int index = 0;
  bool encoded = false;
  std::string value;
};

}  // namespace

std::string ascii_lower(std::string_view s) {
  std::string r(s);
  for (auto& c : r)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return r;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim_view(std::string_view s) {
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

HeaderBlock split_header(std::string_view e) {
  HeaderBlock hb;
  std::size_t pos = 0;
  if (e.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // a UTF-8 BOM written by some exporters
  if (e.substr(pos, 5) == "From ") {  // mbox separator line
    auto nl = e.find('\n', pos);
    pos = nl == std::string_view::npos ? e.size() : nl + 1;
  }
  RawField* current = nullptr;
  while (pos < e.size()) {
    std::size_t nl = e.find('\n', pos);
    std::size_t line_end = nl == std::string_view::npos ? e.size() : nl;
    std::size_t next = nl == std::string_view::npos ? e.size() : nl + 1;
    std::string_view line = e.substr(pos, line_end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      hb.body = e.substr(next);
      return hb;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (current) {
        current->value += line;
      } else {
        hb.bad_lines = true;  // continuation without a field: ignore it
      }
      pos = next;
      continue;
    }
    std::size_t colon = line.find(':');
    std::string_view name = colon == std::string_view::npos ? std::string_view{} : line.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (!valid_field_name(name)) {
      // Not a header line: the body starts here (what Python and GMime do too).
      hb.bad_lines = true;
      hb.missing_separator = true;
      hb.body = e.substr(pos);
      return hb;
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    hb.fields.push_back({name, std::string(value)});
    current = &hb.fields.back();
    pos = next;
  }
  hb.body = std::string_view{};
  return hb;
}

const std::string* StructuredValue::param(std::string_view name) const {
  for (const auto& [n, v] : params)
    if (iequals(n, name)) return &v;
  return nullptr;
}

StructuredValue parse_structured(std::string_view s) {
  StructuredValue sv;
  std::size_t i = 0;
  // The main value: up to ';' (comments in parentheses dropped).
  {
    std::string v;
    int depth = 0;
    while (i < s.size() && !(s[i] == ';' && depth == 0)) {
      char c = s[i++];
      if (c == '(') ++depth;
      else if (c == ')' && depth > 0) --depth;
      else if (depth == 0 && !is_ws(c) && c != '"') v += c;
    }
    sv.value = ascii_lower(v);
  }
  std::vector<std::pair<std::string, std::string>> plain;
  std::map<std::string, std::vector<Segment2231>> ext;
  std::vector<std::string> order;
  while (i < s.size()) {
    if (s[i] == ';' || is_ws(s[i])) { ++i; continue; }
    std::size_t name_begin = i;
    while (i < s.size() && s[i] != '=' && s[i] != ';') ++i;
    std::string name = ascii_lower(trim_view(s.substr(name_begin, i - name_begin)));
    if (i >= s.size() || s[i] != '=') continue;  // attribute without value: ignored
    ++i;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
    std::string value;
    if (i < s.size() && s[i] == '"') {
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value += s[i++];
      }
      if (i < s.size()) ++i;  // closing quote
      while (i < s.size() && s[i] != ';') ++i;  // junk after the quoted string
    } else {
      std::size_t vb = i;
      while (i < s.size() && s[i] != ';') ++i;
      value = std::string(trim_view(s.substr(vb, i - vb)));
    }
    if (name.empty()) continue;
    if (order.size() > 64) continue;  // a bounded number of distinct parameters
    // RFC 2231: name*, name*N, name*N*
    auto star = name.find('*');
    if (star == std::string::npos) {
      plain.emplace_back(name, std::move(value));
      if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
      continue;
    }
    std::string base = name.substr(0, star);
    std::string_view rest = std::string_view(name).substr(star + 1);
    Segment2231 seg;
    if (rest.empty()) {
      seg.encoded = true;
    } else {
      std::size_t k = 0;
      int idx = 0;
      while (k < rest.size() && rest[k] >= '0' && rest[k] <= '9' && idx < 10000)
        idx = idx * 10 + (rest[k++] - '0');
      if (k == 0) continue;
      seg.index = idx;
      std::string_view tail = rest.substr(k);
      if (tail == "*") seg.encoded = true;
      else if (!tail.empty()) continue;
    }
    seg.value = std::move(value);
    auto& segs = ext[base];
    if (segs.size() < 1000) segs.push_back(std::move(seg));
    if (std::find(order.begin(), order.end(), base) == order.end()) order.push_back(base);
  }
  for (const auto& name : order) {
    auto it = ext.find(name);
    if (it != ext.end()) {
      auto segs = it->second;
      std::stable_sort(segs.begin(), segs.end(),
                       [](const Segment2231& a, const Segment2231& b) { return a.index < b.index; });
      std::string charset;
      std::string bytes;
      for (std::size_t k = 0; k < segs.size(); ++k) {
        std::string_view v = segs[k].value;
        if (segs[k].encoded) {
          if (k == 0) {
            // charset'language'value
            auto q1 = v.find('\'');
            auto q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
            if (q2 != std::string_view::npos) {
              charset = std::string(v.substr(0, q1));
              v = v.substr(q2 + 1);
            }
          }
          bytes += percent_decode(v);
        } else {
          bytes += v;
        }
      }
      std::string decoded;
      if (bytes.find("=?") != std::string::npos && charset.empty()) {
        decoded = decode_plain_param(bytes, sv.bad_encoding);
      } else {
        CharsetResult c = decode_charset(bytes, charset);
        if (c.invalid_bytes || c.unknown_label) sv.bad_encoding = true;
        decoded = std::move(c.text);
      }
      sv.params.emplace_back(name, std::move(decoded));
      continue;
    }
    for (auto& [n, v] : plain) {
      if (n == name) {
        sv.params.emplace_back(name, decode_plain_param(v, sv.bad_encoding));
        break;  // the first occurrence wins
      }
    }
  }
  return sv;
}

MultipartSplit split_multipart(std::string_view body, std::string_view boundary,
                               std::size_t max_parts) {
  MultipartSplit ms;
  if (boundary.empty()) return ms;
  std::string delim = "--";
  delim += boundary;
  std::size_t part_begin = std::string_view::npos;  // npos: still in the preamble
  std::size_t search = 0;
  while (search <= body.size()) {
    std::size_t at = body.find(delim, search);
    if (at == std::string_view::npos) break;
    search = at + 1;
    if (at != 0 && body[at - 1] != '\n') continue;
    std::size_t k = at + delim.size();
    bool closing = body.substr(k, 2) == "--";
    if (closing) k += 2;
    std::size_t eol = k;
    while (eol < body.size() && (body[eol] == ' ' || body[eol] == '\t' || body[eol] == '\r')) ++eol;
    if (eol < body.size() && body[eol] != '\n') {
      if (!closing) continue;  // "--boundaryX": a longer boundary of a nested part
      // "--boundary--junk": still a close delimiter for every reader we know
      eol = body.find('\n', eol);
      if (eol == std::string_view::npos) eol = body.size();
    }
    std::size_t line_after = eol < body.size() ? eol + 1 : body.size();
    if (part_begin != std::string_view::npos) {
      // The line break before the delimiter belongs to the delimiter.
      std::size_t end = at;
      if (end > part_begin && body[end - 1] == '\n') --end;
      if (end > part_begin && body[end - 1] == '\r') --end;
      ms.parts.push_back(body.substr(part_begin, end - part_begin));
      if (ms.parts.size() >= max_parts && !closing) {
        ms.truncated = true;
        return ms;
      }
    }
    if (closing) {
      ms.closed = true;
      return ms;
    }
    part_begin = line_after;
    search = line_after;
  }
  if (part_begin != std::string_view::npos) ms.parts.push_back(body.substr(part_begin));
  return ms;
}

}  // namespace madoguchi::parsers
