// transfer_encoding.cpp — lenient base64 and quoted-printable decoding (see the header).
#include "parsers/transfer_encoding.h"

#include <array>
#include <cstdint>

namespace madoguchi::parsers {
namespace {

constexpr std::array<signed char, 256> make_b64_table() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(a[i])] = static_cast<signed char>(i);
  // URL-safe alphabet seen in the wild.
  t[static_cast<unsigned char>('-')] = 62;
  t[static_cast<unsigned char>('_')] = 63;
  return t;
}
constexpr auto b64_table = make_b64_table();

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

std::string decode_base64(std::string_view in, bool* damaged) {
  std::string out;
  out.reserve(in.size() / 4 * 3 + 3);
  std::uint32_t acc = 0;
  int bits = 0;
  bool bad = false;
  auto end_quantum = [&] {
    // Padding or the end: whatever whole bytes are left were already emitted; a single
    // leftover sextet (6 bits) cannot form a byte.
    if (bits == 6) bad = true;
    acc = 0;
    bits = 0;
  };
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    signed char v = b64_table[c];
    if (v >= 0) {
      acc = (acc << 6) | static_cast<std::uint32_t>(v);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += static_cast<char>((acc >> bits) & 0xFF);
        acc &= (1u << bits) - 1;
      }
    } else if (c == '=') {
      end_quantum();
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      continue;
    } else {
      bad = true;
    }
  }
  end_quantum();
  if (bad && damaged) *damaged = true;
  return out;
}

std::string decode_quoted_printable(std::string_view in, bool* damaged, bool header_q) {
  std::string out;
  out.reserve(in.size());
  bool bad = false;
  std::size_t i = 0;
  const std::size_t n = in.size();
  while (i < n) {
    char c = in[i];
    if (c == '=') {
      if (i + 2 < n && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
        out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
        i += 3;
        continue;
      }
      if (!header_q) {
        // Soft line break: "=" then optional blanks then end of line (or end of input).
        std::size_t k = i + 1;
        while (k < n && is_blank(in[k])) ++k;
        if (k == n) { i = k; continue; }
        if (in[k] == '\n') { i = k + 1; continue; }
        if (in[k] == '\r') { i = k + 1 < n && in[k + 1] == '\n' ? k + 2 : k + 1; continue; }
      }
      bad = true;
      out += '=';
      ++i;
      continue;
    }
    if (header_q && c == '_') {
      out += ' ';
      ++i;
      continue;
    }
    if (!header_q && is_blank(c)) {
      // Trailing blanks before a line break were added in transport: drop them.
      std::size_t k = i;
      while (k < n && is_blank(in[k])) ++k;
      if (k == n || in[k] == '\r' || in[k] == '\n') {
        i = k;
        continue;
      }
      out.append(in.data() + i, k - i);
      i = k;
      continue;
    }
    out += c;
    ++i;
  }
  if (bad && damaged) *damaged = true;
  return out;
}

std::string decode_transfer(std::string_view body, std::string_view encoding, bool* damaged) {
  if (encoding == "base64") return decode_base64(body, damaged);
  if (encoding == "quoted-printable") return decode_quoted_printable(body, damaged);
  if (encoding.empty() || encoding == "7bit" || encoding == "8bit" || encoding == "binary")
    return std::string(body);
  if (encoding == "x-uuencode" || encoding == "uuencode" || encoding == "x-uue") {
    if (damaged) *damaged = true;  // not decoded; kept as written
    return std::string(body);
  }
  if (damaged) *damaged = true;
  return std::string(body);
}

}  // namespace madoguchi::parsers
