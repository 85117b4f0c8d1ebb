// mime.cpp — structured header values (RFC 2045 parameters, RFC 2231 continuations) and the
// small ASCII helpers. The MIME structure itself is mime_structure.cpp (mimetic).
#include "parsers/mime.h"

#include "parsers/charset.h"
#include "parsers/encoded_words.h"

#include <algorithm>
#include <map>

namespace madoguchi::parsers {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

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

const RawField* find_field(const std::vector<RawField>& fields, std::string_view name) {
  for (const auto& f : fields)
    if (iequals(f.name, name)) return &f;
  return nullptr;
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

}  // namespace madoguchi::parsers
