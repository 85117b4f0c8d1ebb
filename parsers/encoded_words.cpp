// encoded_words.cpp — RFC 2047 decoding with joining of split words (see the header).
#include "parsers/encoded_words.h"

#include "parsers/charset.h"
#include "parsers/transfer_encoding.h"

#include <vector>

namespace madoguchi::parsers {
namespace {

struct Word {
  std::size_t begin = 0, end = 0;  // the whole =?...?= in the input
  std::string_view charset;        // without *language
  char encoding = 'B';
  std::string_view text;
};

bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7F && c != '?';
}

// Parses an encoded-word starting at s[pos] ("=?"). Returns false when it is not one.
// Positions of the next "?=" and the next whitespace at or after some offset, remembered so
// that a header full of "=?" without a closing "?=" is scanned once, not once per "=?".
struct ScanCache {
  std::size_t close = 0;
  bool close_valid = false;
  std::size_t ws = 0;
  bool ws_valid = false;
};

bool parse_word(std::string_view s, std::size_t pos, Word& w, ScanCache& cache) {
  std::size_t i = pos + 2;
  std::size_t cs_begin = i;
  while (i < s.size() && is_token_char(s[i])) ++i;
  if (i >= s.size() || s[i] != '?' || i == cs_begin) return false;
  std::string_view charset = s.substr(cs_begin, i - cs_begin);
  if (auto star = charset.find('*'); star != std::string_view::npos) charset = charset.substr(0, star);
  ++i;
  if (i + 1 >= s.size() || s[i + 1] != '?') return false;
  char enc = s[i];
  if (enc == 'b') enc = 'B';
  if (enc == 'q') enc = 'Q';
  if (enc != 'B' && enc != 'Q') return false;
  i += 2;
  std::size_t text_begin = i;
  // The encoded text runs to "?=" and holds no whitespace (RFC 2047 §5); Q text may
  // contain '?' only as "=3F", but some mailers write '?' raw: we stop at the first "?=".
  if (!cache.close_valid || (cache.close != std::string_view::npos && cache.close < i)) {
    cache.close = s.find("?=", i);
    cache.close_valid = true;
  }
  std::size_t close = cache.close;
  if (close == std::string_view::npos) return false;
  if (!cache.ws_valid || (cache.ws != std::string_view::npos && cache.ws < text_begin)) {
    cache.ws = s.find_first_of(" \t\r\n", text_begin);
    cache.ws_valid = true;
  }
  if (cache.ws < close) return false;
  w.begin = pos;
  w.end = close + 2;
  w.charset = charset;
  w.encoding = enc;
  w.text = s.substr(text_begin, close - text_begin);
  return true;
}

bool iequal_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool only_whitespace(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  return true;
}

bool valid_base64_text(std::string_view t) {
  for (char c : t) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '=';
    if (!ok) return false;
  }
  return true;
}

void decode_plain(std::string_view raw, std::string_view raw_charset, EncodedWordsResult& r) {
  bool plain_ascii = true;
  for (unsigned char c : raw)
    if (c >= 0x80 || c == 0x1B) { plain_ascii = false; break; }
  if (plain_ascii) {
    r.text += raw;
    return;
  }
  r.raw_8bit = true;
  CharsetResult c = decode_charset(raw, raw_charset);
  r.invalid_bytes |= c.invalid_bytes;
  r.text += c.text;
}

}  // namespace

EncodedWordsResult decode_encoded_words(std::string_view s, std::string_view raw_charset) {
  EncodedWordsResult r;
  r.text.reserve(s.size());
  // Raw 8-bit or JIS text is decoded per run of plain text, so a whole header in raw
  // ISO-2022-JP or Shift_JIS stays one conversion.
  std::size_t plain_begin = 0;
  std::size_t i = 0;
  std::string run_bytes;      // decoded bytes of the current run of joinable words
  std::string_view run_charset;
  std::string pending_b64;    // B text whose length was not a multiple of 4 (split mid-quantum)
  bool in_run = false;
  ScanCache cache;

  auto flush_run = [&] {
    if (!in_run) return;
    if (!pending_b64.empty()) {
      bool dmg = false;
      run_bytes += decode_base64(pending_b64, &dmg);
      pending_b64.clear();
    }
    CharsetResult c = decode_charset(run_bytes, run_charset);
    r.invalid_bytes |= c.invalid_bytes;
    r.unknown_charset |= c.unknown_label;
    r.text += c.text;
    run_bytes.clear();
    in_run = false;
  };

  while (i < s.size()) {
    std::size_t q = s.find("=?", i);
    if (q == std::string_view::npos) break;
    Word w;
    if (!parse_word(s, q, w, cache)) {
      i = q + 2;
      continue;
    }
    // Between the previous word and this one: dropped when only whitespace.
    std::string_view between = s.substr(plain_begin, q - plain_begin);
    bool adjacent = in_run && only_whitespace(between);
    if (!adjacent) {
      flush_run();
      decode_plain(between, raw_charset, r);
    }
    if (w.encoding == 'B' && !valid_base64_text(w.text)) {
      // Malformed: keep the word as written so a human can still read it.
      flush_run();
      r.bad_word = true;
      decode_plain(s.substr(w.begin, w.end - w.begin), raw_charset, r);
      plain_begin = i = w.end;
      continue;
    }
    if (in_run && !iequal_ascii(run_charset, w.charset)) flush_run();
    if (!in_run) {
      in_run = true;
      run_charset = w.charset;
    }
    if (w.encoding == 'B') {
      if (!pending_b64.empty() || w.text.size() % 4 != 0) {
        pending_b64 += w.text;
        if (pending_b64.size() % 4 == 0 || w.text.find('=') != std::string_view::npos) {
          run_bytes += decode_base64(pending_b64);
          pending_b64.clear();
        }
      } else {
        run_bytes += decode_base64(w.text);
      }
    } else {
      if (!pending_b64.empty()) {
        run_bytes += decode_base64(pending_b64);
        pending_b64.clear();
      }
      bool dmg = false;
      run_bytes += decode_quoted_printable(w.text, &dmg, true);
      if (dmg) r.bad_word = true;
    }
    plain_begin = i = w.end;
  }
  flush_run();
  decode_plain(s.substr(plain_begin), raw_charset, r);
  return r;
}

std::string decode_header_text(std::string_view value) { return decode_encoded_words(value).text; }

}  // namespace madoguchi::parsers
