// charset.cpp — charset conversion to UTF-8 for Japanese mail as Japanese clients write it.
//
// iconv does the table work (CP932 has the NEC and IBM extensions; EUC-JP-MS maps 0xA1C1 to
// FULLWIDTH TILDE like Windows); the ISO-2022-JP state machine is ours because glibc's rejects
// the Microsoft extensions. iconv descriptors are cached per thread: opening one costs more
// than converting a typical mail.
#include "parsers/charset.h"

#include <iconv.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace madoguchi::parsers {
namespace {

constexpr char32_t replacement = 0xFFFD;

class IconvCache {
 public:
  IconvCache() = default;
  IconvCache(const IconvCache&) = delete;
  IconvCache& operator=(const IconvCache&) = delete;
  ~IconvCache() {
    for (auto& [name, cd] : cds_)
      if (cd != invalid()) iconv_close(cd);
  }
  // nullopt-like: returns invalid() when iconv does not know the charset.
  iconv_t get(const std::string& charset) {
    auto it = cds_.find(charset);
    if (it != cds_.end()) return it->second;
    if (cds_.size() > 64) {  // labels come from mail: bound the cache
      for (auto& [name, cd] : cds_)
        if (cd != invalid()) iconv_close(cd);
      cds_.clear();
    }
    iconv_t cd = iconv_open("UTF-8", charset.c_str());
    cds_.emplace(charset, cd);
    return cd;
  }
  static iconv_t invalid() { return reinterpret_cast<iconv_t>(-1); }

 private:
  std::unordered_map<std::string, iconv_t> cds_;
};

IconvCache& iconv_cache() {
  thread_local IconvCache cache;
  return cache;
}

// Converts with iconv, replacing undecodable bytes. Returns false when the charset is unknown.
bool iconv_to_utf8(const std::string& charset, std::string_view in, std::string& out,
                   bool& invalid) {
  iconv_t cd = iconv_cache().get(charset);
  if (cd == IconvCache::invalid()) return false;
  iconv(cd, nullptr, nullptr, nullptr, nullptr);
  char* ip = const_cast<char*>(in.data());
  std::size_t ileft = in.size();
  while (ileft > 0) {
    std::size_t old = out.size();
    out.resize(old + ileft * 3 + 16);
    char* op = out.data() + old;
    std::size_t oleft = out.size() - old;
    std::size_t r = iconv(cd, &ip, &ileft, &op, &oleft);
    int err = errno;
    out.resize(static_cast<std::size_t>(op - out.data()));
    if (r != static_cast<std::size_t>(-1)) break;
    if (err == E2BIG) continue;
    invalid = true;
    append_utf8(out, replacement);
    if (err == EILSEQ) {
      ++ip;
      --ileft;
      iconv(cd, nullptr, nullptr, nullptr, nullptr);
    } else {  // EINVAL: incomplete sequence at the end
      break;
    }
  }
  return true;
}

bool has_8bit(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return true;
  return false;
}

bool has_jis_escape(std::string_view s) {
  for (std::size_t i = s.find('\x1b'); i != std::string_view::npos; i = s.find('\x1b', i + 1)) {
    if (i + 2 < s.size()) {
      char a = s[i + 1], b = s[i + 2];
      if (a == '$' && (b == 'B' || b == '@' || b == '(' || b == 'A')) return true;
      if (a == '(' && (b == 'I' || b == 'J')) return true;
    }
  }
  return false;
}

// How well bytes fit an encoding: sequences that fit (`ok`) and bytes that do not (`bad`).
struct Fit {
  std::size_t ok = 0;
  std::size_t bad = 0;
  std::size_t kana = 0;  // EUC-JP: pairs in the kana/punctuation rows
  std::size_t pairs = 0; // CP932: double-byte characters (single bytes may be Latin-1)
  bool clean() const { return bad == 0; }
  bool mostly() const { return ok > 0 && bad * 20 <= ok; }
};

// Windows-31J with only assigned lead bytes (no user-defined 0xF0-0xF9 area), so that
// Latin-1 text like "Fr\xF6sche" is not mistaken for it.
bool cp932_lead(unsigned char c) {
  return (c >= 0x81 && c <= 0x84) || (c >= 0x87 && c <= 0x9F) || (c >= 0xE0 && c <= 0xEA) ||
         c == 0xED || c == 0xEE || (c >= 0xFA && c <= 0xFC);
}

Fit fit_cp932(std::string_view s) {
  Fit f;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) continue;
    if (c >= 0xA1 && c <= 0xDF) { ++f.ok; continue; }
    if (cp932_lead(c) && i + 1 < s.size()) {
      auto t = static_cast<unsigned char>(s[i + 1]);
      bool trail = t >= 0x40 && t != 0x7F && t <= 0xFC && (c != 0xFC || t <= 0x4B);
      if (trail) { ++f.ok; ++f.pairs; ++i; continue; }
    }
    ++f.bad;
  }
  return f;
}

Fit fit_eucjp(std::string_view s) {
  Fit f;
  auto hi = [&](std::size_t k) {
    return k < s.size() && static_cast<unsigned char>(s[k]) >= 0xA1 &&
           static_cast<unsigned char>(s[k]) <= 0xFE;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) continue;
    if (c == 0x8E && hi(i + 1)) { ++f.ok; ++i; continue; }
    if (c == 0x8F && hi(i + 1) && hi(i + 2)) { ++f.ok; i += 2; continue; }
    if (c >= 0xA1 && c <= 0xFE && hi(i + 1)) {
      ++f.ok;
      if (c == 0xA1 || c == 0xA4 || c == 0xA5) ++f.kana;
      ++i;
      continue;
    }
    ++f.bad;
  }
  return f;
}

Fit fit_utf8(std::string_view s);

// Valid UTF-8 with several multi-byte sequences: legacy CJK text almost never is, so a
// legacy label on such bytes is wrong (mailers re-encode the body and keep the old label).
bool looks_like_real_utf8(std::string_view s) {
  Fit f = fit_utf8(s);
  return f.bad == 0 && f.ok >= 3;
}

bool is_legacy_cjk(const std::string& iconv_name) {
  return iconv_name == "GB18030" || iconv_name == "BIG5-HKSCS" || iconv_name == "CP949";
}

enum class Family { utf8, ascii, iso2022jp, cp932, eucjp, latin, other, sniff, unknown };

struct Label {
  Family family;
  std::string iconv_name;  // for Family::other
};

std::string lower_trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"' ||
                        s.front() == '\''))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"' ||
                        s.back() == '\''))
    s.remove_suffix(1);
  std::string r(s);
  for (auto& c : r)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return r;
}

Label classify_label(std::string_view raw) {
  std::string l = lower_trim(raw);
  if (l.empty()) return {Family::sniff, {}};
  if (l == "utf-8" || l == "utf8" || l == "unicode-1-1-utf-8" || l == "x-unicode20utf8")
    return {Family::utf8, {}};
  if (l == "us-ascii" || l == "ascii" || l == "ansi_x3.4-1968" || l == "iso646-us" || l == "us" ||
      l == "7bit")
    return {Family::ascii, {}};
  if (l.rfind("iso-2022-jp", 0) == 0 || l == "csiso2022jp" || l == "cp50220" || l == "cp50221" ||
      l == "cp50222" || l == "jis" || l == "iso2022jp" || l == "x-iso-2022-jp")
    return {Family::iso2022jp, {}};
  if (l == "shift_jis" || l == "shift-jis" || l == "sjis" || l == "x-sjis" || l == "windows-31j" ||
      l == "cp932" || l == "ms_kanji" || l == "csshiftjis" || l == "x-ms-cp932" || l == "ms932" ||
      l == "cswindows31j" || l == "shift_jisx0213" || l == "x-shift_jis" || l == "shiftjis")
    return {Family::cp932, {}};
  if (l == "euc-jp" || l == "x-euc-jp" || l == "eucjp" || l == "cseucpkdfmtjapanese" ||
      l == "euc-jp-ms" || l == "eucjp-ms" || l == "x-euc")
    return {Family::eucjp, {}};
  if (l == "unknown-8bit" || l == "x-unknown" || l == "unknown" || l == "8bit" || l == "default" ||
      l == "x-user-defined" || l == "charset")
    return {Family::unknown, {}};
  // Mailers mean windows-1252 when they write latin1 (WHATWG does the same).
  if (l == "iso-8859-1" || l == "latin1" || l == "iso8859-1" || l == "iso_8859-1" ||
      l == "l1" || l == "cp1252")
    return {Family::other, "WINDOWS-1252"};
  if (l == "ks_c_5601-1987" || l == "ks_c_5601" || l == "euc-kr") return {Family::other, "CP949"};
  if (l == "gb2312" || l == "gbk" || l == "x-gbk" || l == "cp936") return {Family::other, "GB18030"};
  if (l == "big5") return {Family::other, "BIG5-HKSCS"};
  // Anything else goes to iconv as written, if it is a plausible name.
  if (l.size() > 40) return {Family::unknown, {}};
  for (char c : l)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
          c == ':'))
      return {Family::unknown, {}};
  return {Family::other, l};
}

// UTF-8 decoding of one sequence at s[i]; returns length (0 when ill-formed).
std::size_t utf8_seq_len(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  std::size_t n;
  char32_t min;
  if (c >= 0xC2 && c <= 0xDF) n = 2, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, min = 0x10000;
  else return 0;
  if (i + n > s.size()) return 0;
  char32_t cp = c & (0x3F >> (n - 1));
  for (std::size_t k = 1; k < n; ++k) {
    auto t = static_cast<unsigned char>(s[i + k]);
    if ((t & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (t & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

Fit fit_utf8(std::string_view s) {
  Fit f;
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) { ++i; continue; }
    std::size_t n = utf8_seq_len(s, i);
    if (n == 0) { ++f.bad; ++i; } else { ++f.ok; i += n; }
  }
  return f;
}

std::string decode_utf8(std::string_view bytes, bool& invalid) {
  bool replaced = false;
  std::string r = sanitize_utf8(bytes, &replaced);
  if (replaced) invalid = true;
  // A UTF-8 BOM says nothing to the reader.
  if (r.size() >= 3 && r.compare(0, 3, "\xEF\xBB\xBF") == 0) r.erase(0, 3);
  return r;
}

std::string decode_cp932(std::string_view bytes, bool& invalid) {
  std::string out;
  iconv_to_utf8("CP932", bytes, out, invalid);
  return out;
}

std::string decode_eucjp(std::string_view bytes, bool& invalid) {
  std::string out;
  if (!iconv_to_utf8("EUC-JP-MS", bytes, out, invalid)) iconv_to_utf8("EUC-JP", bytes, out, invalid);
  return out;
}

std::string decode_family(Family f, std::string_view bytes, bool& invalid) {
  switch (f) {
    case Family::utf8: return decode_utf8(bytes, invalid);
    case Family::ascii: return decode_utf8(bytes, invalid);
    case Family::iso2022jp: return decode_iso2022jp(bytes, &invalid);
    case Family::cp932: return decode_cp932(bytes, invalid);
    case Family::eucjp: return decode_eucjp(bytes, invalid);
    case Family::latin: {
      std::string out;
      iconv_to_utf8("WINDOWS-1252", bytes, out, invalid);
      return out;
    }
    default: return decode_utf8(bytes, invalid);
  }
}

Family sniff_family(std::string_view bytes) {
  if (!has_8bit(bytes)) return has_jis_escape(bytes) ? Family::iso2022jp : Family::ascii;
  Fit u = fit_utf8(bytes);
  if (u.clean()) return Family::utf8;
  Fit s = fit_cp932(bytes);
  Fit e = fit_eucjp(bytes);
  // EUC-JP text often also fits CP932 (as half-width kana): kana rows decide.
  bool euc_first = e.clean() && e.kana * 100 >= e.ok * 30;
  if (euc_first) return Family::eucjp;
  // Only half-width kana and no double-byte character is more likely Latin-1 ("\xB4!").
  if (s.clean() && s.pairs > 0) return Family::cp932;
  if (e.clean()) return Family::eucjp;
  // Nothing fits exactly: the closest Japanese or UTF-8 reading, else windows-1252 (which
  // never garbles Western text into kanji).
  // Latin-1 text almost never holds valid UTF-8 sequences: a few of them decide.
  if (u.ok >= 2 && u.bad * 2 <= u.ok) return Family::utf8;
  if (s.mostly() && s.pairs > 0 && s.bad <= e.bad) return Family::cp932;
  if (e.mostly()) return Family::eucjp;
  return Family::latin;
}

std::string_view family_name(Family f) {
  switch (f) {
    case Family::utf8: return "utf-8";
    case Family::ascii: return "us-ascii";
    case Family::iso2022jp: return "iso-2022-jp";
    case Family::cp932: return "cp932";
    case Family::eucjp: return "euc-jp";
    case Family::latin: return "windows-1252";
    default: return "us-ascii";
  }
}

// Buffers bytes of one charset and converts them in one iconv call.
class Segment {
 public:
  explicit Segment(std::string& out, bool& invalid) : out_(out), invalid_(invalid) {}
  void push(const char* charset, char b) {
    if (charset != charset_) flush();
    charset_ = charset;
    buf_ += b;
  }
  void flush() {
    if (!buf_.empty()) {
      if (!iconv_to_utf8(charset_, buf_, out_, invalid_)) {
        invalid_ = true;
        append_utf8(out_, replacement);
      }
      buf_.clear();
    }
  }
  void replace() {
    flush();
    invalid_ = true;
    append_utf8(out_, replacement);
  }
  void raw(std::string_view utf8) {
    flush();
    out_ += utf8;
  }

 private:
  std::string& out_;
  bool& invalid_;
  const char* charset_ = nullptr;
  std::string buf_;
};

constexpr const char* cs_cp932 = "CP932";
constexpr const char* cs_euc = "EUC-JP-MS";
constexpr const char* cs_gb = "GB2312";
constexpr const char* cs_kr = "EUC-KR";
constexpr const char* cs_greek = "ISO-8859-7";

}  // namespace

void append_utf8(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = replacement;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = utf8_seq_len(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string sanitize_utf8(std::string_view s, bool* replaced) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      out += s[i++];
      continue;
    }
    std::size_t n = utf8_seq_len(s, i);
    if (n == 0) {
      append_utf8(out, replacement);
      if (replaced) *replaced = true;
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

std::string decode_iso2022jp(std::string_view s, bool* invalid_out) {
  enum class G0 { ascii, jis0208, kana, jis0212, gb2312, ksc5601, unknown94x94 };
  enum class G2 { none, latin1, greek };
  std::string out;
  out.reserve(s.size() * 3 / 2);
  bool invalid = false;
  Segment seg(out, invalid);
  G0 g0 = G0::ascii;
  G2 g2 = G2::none;
  bool shifted_kana = false;  // SO ... SI (CP50222 style)
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0x1B) {
      std::string_view rest = s.substr(i + 1);
      auto starts = [&](std::string_view p) { return rest.substr(0, p.size()) == p; };
      std::size_t len = 0;
      if (starts("(B") || starts("(J") || starts("(H")) g0 = G0::ascii, len = 2;
      else if (starts("(I")) g0 = G0::kana, len = 2;
      else if (starts("$@") || starts("$B")) g0 = G0::jis0208, len = 2;
      else if (starts("$(B") || starts("$(@") || starts("$(O") || starts("$(Q"))
        g0 = G0::jis0208, len = 3;
      else if (starts("$(D")) g0 = G0::jis0212, len = 3;
      else if (starts("$A")) g0 = G0::gb2312, len = 2;
      else if (starts("$(C")) g0 = G0::ksc5601, len = 3;
      else if (starts("$(P")) g0 = G0::unknown94x94, len = 3;
      else if (starts("&@")) len = 2;  // JIS X 0208-1990 announcer: nothing to do
      else if (starts(".A")) g2 = G2::latin1, len = 2;
      else if (starts(".F")) g2 = G2::greek, len = 2;
      else if (starts("N") && rest.size() >= 2) {
        auto b = static_cast<unsigned char>(rest[1]);
        if (g2 == G2::latin1 && b >= 0x20 && b < 0x80) seg.raw([&] {
            std::string t;
            append_utf8(t, b | 0x80);
            return t;
          }());
        else if (g2 == G2::greek && b >= 0x20 && b < 0x80) seg.push(cs_greek, static_cast<char>(b | 0x80));
        else seg.replace();
        len = 2;
      }
      if (len == 0) {
        seg.replace();  // unknown escape: drop the ESC, keep what follows readable
      } else {
        i += len;
      }
      continue;
    }
    if (c == 0x0E) { shifted_kana = true; continue; }
    if (c == 0x0F) { shifted_kana = false; continue; }
    if (c == '\r' || c == '\n') {
      // A line ends in ASCII (RFC 1468); resetting keeps one broken line from garbling the rest.
      g0 = G0::ascii;
      shifted_kana = false;
      seg.push(cs_cp932, static_cast<char>(c));
      continue;
    }
    if (c >= 0x80) {
      // JIS8 half-width kana written raw; anything else is not ISO-2022-JP.
      if (c >= 0xA1 && c <= 0xDF) seg.push(cs_cp932, static_cast<char>(c));
      else seg.replace();
      continue;
    }
    if (shifted_kana || g0 == G0::kana) {
      if (c >= 0x21 && c <= 0x5F) seg.push(cs_cp932, static_cast<char>(c + 0x80));
      else if (c < 0x21) seg.push(cs_cp932, static_cast<char>(c));
      else seg.replace();
      continue;
    }
    if (g0 == G0::ascii || c < 0x21 || c == 0x7F) {
      seg.push(cs_cp932, static_cast<char>(c));  // CP932 maps 0x00-0x7F to ASCII
      continue;
    }
    // A 94x94 set: two bytes 0x21-0x7E.
    if (i + 1 >= s.size()) {
      seg.replace();
      break;
    }
    auto c2 = static_cast<unsigned char>(s[i + 1]);
    if (c2 < 0x21 || c2 > 0x7E) {
      seg.replace();
      continue;
    }
    ++i;
    switch (g0) {
      case G0::jis0208: {
        unsigned s1 = (c + 1) / 2 + (c <= 0x5E ? 0x70 : 0xB0);
        unsigned s2 = c2 + ((c & 1) ? (c2 < 0x60 ? 0x1F : 0x20) : 0x7E);
        seg.push(cs_cp932, static_cast<char>(s1));
        seg.push(cs_cp932, static_cast<char>(s2));
        break;
      }
      case G0::jis0212:
        seg.push(cs_euc, static_cast<char>(0x8F));
        seg.push(cs_euc, static_cast<char>(c | 0x80));
        seg.push(cs_euc, static_cast<char>(c2 | 0x80));
        break;
      case G0::gb2312:
        seg.push(cs_gb, static_cast<char>(c | 0x80));
        seg.push(cs_gb, static_cast<char>(c2 | 0x80));
        break;
      case G0::ksc5601:
        seg.push(cs_kr, static_cast<char>(c | 0x80));
        seg.push(cs_kr, static_cast<char>(c2 | 0x80));
        break;
      default:
        seg.replace();
        break;
    }
  }
  seg.flush();
  if (invalid && invalid_out) *invalid_out = true;
  return out;
}

std::string_view sniff_charset(std::string_view bytes) { return family_name(sniff_family(bytes)); }

CharsetResult decode_charset(std::string_view bytes, std::string_view label) {
  CharsetResult r;
  Label l = classify_label(label);
  if (l.family == Family::other) {
    if (is_legacy_cjk(l.iconv_name) && looks_like_real_utf8(bytes)) {
      r.label_mismatch = true;
      l.family = Family::utf8;
    } else if (has_jis_escape(bytes) && !has_8bit(bytes)) {
      r.label_mismatch = true;
      l.family = Family::iso2022jp;
    } else {
      if (iconv_to_utf8(l.iconv_name, bytes, r.text, r.invalid_bytes)) {
        r.used = lower_trim(l.iconv_name);
        return r;
      }
      r.text.clear();
      r.unknown_label = true;
      l.family = Family::sniff;
    }
  }
  if (l.family == Family::unknown) {
    r.unknown_label = true;
    l.family = Family::sniff;
  }
  if (l.family == Family::sniff) {
    Family f = sniff_family(bytes);
    r.text = decode_family(f, bytes, r.invalid_bytes);
    r.used = family_name(f);
    return r;
  }
  // A label we know: check the bytes agree with it, else sniff.
  Family f = l.family;
  bool eight = has_8bit(bytes);
  switch (f) {
    case Family::ascii:
      if (eight || has_jis_escape(bytes)) f = sniff_family(bytes);
      break;
    case Family::utf8:
      if (!eight && has_jis_escape(bytes)) f = Family::iso2022jp;
      else if (eight && !is_valid_utf8(bytes) && fit_cp932(bytes).clean()) f = sniff_family(bytes);
      break;
    case Family::iso2022jp:
      if (eight) {
        // Raw JIS8 kana is tolerated by the decoder; other 8-bit bytes mean a wrong label.
        bool only_kana = true;
        for (unsigned char c : bytes)
          if (c >= 0x80 && !(c >= 0xA1 && c <= 0xDF)) { only_kana = false; break; }
        if (!only_kana) f = sniff_family(bytes);
      }
      break;
    case Family::cp932:
      if (!eight && has_jis_escape(bytes)) f = Family::iso2022jp;
      else if (looks_like_real_utf8(bytes)) f = Family::utf8;
      else if (eight && !fit_cp932(bytes).clean() && is_valid_utf8(bytes)) f = Family::utf8;
      break;
    case Family::eucjp:
      if (!eight && has_jis_escape(bytes)) f = Family::iso2022jp;
      else if (looks_like_real_utf8(bytes)) f = Family::utf8;
      else if (eight && !fit_eucjp(bytes).clean() && fit_cp932(bytes).clean()) f = Family::cp932;
      else if (eight && !fit_eucjp(bytes).clean() && is_valid_utf8(bytes)) f = Family::utf8;
      break;
    default: break;
  }
  if (f != l.family && !(l.family == Family::ascii && f == Family::ascii)) r.label_mismatch = true;
  r.text = decode_family(f, bytes, r.invalid_bytes);
  r.used = family_name(f);
  return r;
}

std::string to_utf8(std::string_view bytes, std::string_view label) {
  return decode_charset(bytes, label).text;
}

}  // namespace madoguchi::parsers
