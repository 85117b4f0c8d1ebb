// reply_text.cpp — see reply_text.h.
//
// One pass over the lines. Every look ahead is bounded (kLookahead lines, kMaxMarkerBytes of a
// line), and the kept text is written as it goes: blank lines, quoted lines and a rule wait in
// `Output` until a line of text follows, so that a cut or the end can still drop them. Lines
// are never stored, so a text of millions of empty lines costs no more memory than its size.
#include "parsers/reply_text.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

namespace madoguchi::parsers {
namespace {

constexpr std::string_view kIdeographicSpace = "\u3000";
// How far a decision looks ahead: the lines of a signature, blank lines before a quote.
constexpr int kLookahead = 40;
// Attribution and header lines are short: a longer line is never one.
constexpr std::size_t kMaxMarkerBytes = 600;
// Signature lines are short: a longer line means body text.
constexpr std::size_t kMaxSignatureLineBytes = 200;
constexpr int kMaxSignatureLines = 8;

std::string_view trim_front(std::string_view s) {
  for (;;) {
    if (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
      s.remove_prefix(1);
    } else if (s.starts_with(kIdeographicSpace)) {
      s.remove_prefix(kIdeographicSpace.size());
    } else {
      return s;
    }
  }
}

std::string_view trim(std::string_view s) {
  s = trim_front(s);
  for (;;) {
    if (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
      s.remove_suffix(1);
    } else if (s.ends_with(kIdeographicSpace)) {
      s.remove_suffix(kIdeographicSpace.size());
    } else {
      return s;
    }
  }
}

struct Line {
  std::string_view text;  // without its CR LF or LF
  std::size_t next;       // where the next line starts
};

Line line_at(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return {{}, s.size()};
  const std::size_t eol = s.find('\n', pos);
  const std::size_t end = eol == std::string_view::npos ? s.size() : eol;
  std::string_view text = s.substr(pos, end - pos);
  if (text.ends_with('\r')) text.remove_suffix(1);
  return {text, eol == std::string_view::npos ? s.size() : eol + 1};
}

bool ends_with_colon(std::string_view t) { return t.ends_with(':') || t.ends_with("："); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_quote(std::string_view line) {
  const std::string_view t = trim_front(line);
  return t.starts_with('>') || t.starts_with("＞");
}

// A line of one repeated rule character, at least three of it ("━━━", "-----", "＿＿＿").
bool is_rule(std::string_view t) {
  static constexpr std::array<std::string_view, 12> kRuleChars = {
      "-", "=", "*", "_", "━", "─", "＿", "＝", "―", "＊", "═", "－"};
  if (t.size() < 3 || t.size() > kMaxMarkerBytes) return false;
  for (const std::string_view c : kRuleChars) {
    if (!t.starts_with(c)) continue;
    if (t.size() % c.size() != 0 || t.size() / c.size() < 3) return false;
    for (std::size_t i = 0; i < t.size(); i += c.size())
      if (t.compare(i, c.size(), c) != 0) return false;
    return true;
  }
  return false;
}

// "-----Original Message-----", "----- 元のメッセージ -----" (Outlook).
bool is_original_message(std::string_view t) {
  if (t.size() > kMaxMarkerBytes || !t.starts_with("---")) return false;
  t.remove_prefix(std::min(t.find_first_not_of("- "), t.size()));
  for (const std::string_view name : {"Original Message", "Original message", "元のメッセージ"}) {
    if (!t.starts_with(name)) continue;
    const std::string_view rest = t.substr(name.size());
    return rest.find_first_not_of("- ") == std::string_view::npos && rest.find('-') != std::string_view::npos;
  }
  return false;
}

enum class Field { none, from, other };

// Which field of an Outlook header block ("差出人: …", "Sent: …") the line is.
Field outlook_field(std::string_view t) {
  static constexpr std::array<std::string_view, 4> kFrom = {"From", "差出人", "送信者", "送信元"};
  static constexpr std::array<std::string_view, 10> kOther = {
      "Sent", "Date", "To", "Cc", "CC", "Subject", "送信日時", "日時", "宛先", "件名"};
  const auto named = [t](std::string_view name) {
    if (!t.starts_with(name)) return false;
    const std::string_view rest = trim_front(t.substr(name.size()));
    return rest.starts_with(':') || rest.starts_with("：");
  };
  if (t.size() > kMaxMarkerBytes) return Field::none;
  for (const std::string_view name : kFrom)
    if (named(name)) return Field::from;
  for (const std::string_view name : kOther)
    if (named(name)) return Field::other;
  return Field::none;
}

// An Outlook header block starts at `line`: a From line after a "____" rule, or followed by
// another header field within the next lines of the block.
bool outlook_block(std::string_view text, const Line& line, bool after_underscore_rule) {
  if (outlook_field(trim(line.text)) != Field::from) return false;
  if (after_underscore_rule) return true;
  std::size_t pos = line.next;
  for (int k = 0; k < 5 && pos < text.size(); ++k) {
    const Line l = line_at(text, pos);
    const std::string_view t = trim(l.text);
    if (t.empty()) return false;
    if (outlook_field(t) == Field::other) return true;
    pos = l.next;
  }
  return false;
}

bool wrote(std::string_view t) { return t.ends_with("wrote:") || t.ends_with("wrote :"); }

// "2026年" at the start (Gmail's Japanese date).
bool starts_with_japanese_year(std::string_view t) {
  return t.size() > 4 && is_digit(t[0]) && is_digit(t[1]) && is_digit(t[2]) && is_digit(t[3]) &&
         t.substr(4).starts_with("年");
}

// The number of lines (1, or 2 when the client wrapped it) of a reply attribution starting at
// `line`, or 0: "On … wrote:", "2026年11月17日(火) 14:06 名前 <addr>:", "…<addr>のメッセージ:",
// "…さんは書きました:".
int attribution_lines(std::string_view text, const Line& line) {
  const std::string_view t = trim(line.text);
  if (t.empty() || t.size() > kMaxMarkerBytes) return 0;
  const bool has_at = t.find('@') != std::string_view::npos;
  if (wrote(t) && (t.starts_with("On ") || has_at || t.find_first_of("0123456789") != std::string_view::npos))
    return 1;
  if (t.ends_with("書きました:") || t.ends_with("書きました：")) return 1;
  if (is_digit(t[0]) && (t.ends_with("のメッセージ:") || t.ends_with("のメッセージ："))) return 1;
  const bool japanese_date = starts_with_japanese_year(t);
  if (japanese_date && ends_with_colon(t) && has_at) return 1;
  if ((!japanese_date && !t.starts_with("On ")) || ends_with_colon(t)) return 0;
  const std::string_view next = trim(line_at(text, line.next).text);
  if (next.empty() || next.size() > kMaxMarkerBytes) return 0;
  if (japanese_date) return ends_with_colon(next) && (has_at || next.find('@') != std::string_view::npos) ? 2 : 0;
  return wrote(next) ? 2 : 0;
}

// Quoted history starts at the line at `pos` (quote, attribution, Outlook header or separator).
bool history_at(std::string_view text, std::size_t pos) {
  const Line l = line_at(text, pos);
  const std::string_view t = trim(l.text);
  // what every marker starts or ends with: a quick no for most lines
  if (t.empty() || !(ends_with_colon(t) || is_digit(t[0]) || t.starts_with("On ") || t.starts_with('>') ||
                     t.starts_with("---") || t.starts_with("＞") || t.starts_with('F') ||
                     t.starts_with("差出人") || t.starts_with("送信")))
    return false;
  return is_quote(t) || is_original_message(t) || outlook_block(text, l, false) || attribution_lines(text, l) > 0;
}

// The first non-blank line from `pos` (within kLookahead lines), or nothing at the end.
std::optional<std::size_t> next_nonblank(std::string_view text, std::size_t pos, bool& found_end) {
  found_end = false;
  for (int k = 0; k < kLookahead; ++k) {
    if (pos >= text.size()) {
      found_end = true;
      return std::nullopt;
    }
    const Line l = line_at(text, pos);
    if (!trim(l.text).empty()) return pos;
    pos = l.next;
  }
  return std::nullopt;
}

bool quote_follows(std::string_view text, std::size_t pos) {
  bool end = false;
  const auto at = next_nonblank(text, pos, end);
  return at && is_quote(line_at(text, *at).text);
}

bool only_history_follows(std::string_view text, std::size_t pos) {
  bool end = false;
  const auto at = next_nonblank(text, pos, end);
  return end || (at && history_at(text, *at));
}

// A phone number: nine or more digits in one run of digits, '-', '(', ')', with a separator.
bool has_phone_number(std::string_view t) {
  int digits = 0;
  bool separator = false;
  for (const char c : t) {
    if (is_digit(c)) {
      ++digits;
    } else if (c == '-' || c == '(' || c == ')') {
      separator = separator || digits > 0;
    } else {
      if (digits >= 9 && separator) return true;
      digits = 0;
      separator = false;
    }
  }
  return digits >= 9 && separator;
}

bool contact_hint(std::string_view t) {
  static constexpr std::array<std::string_view, 18> kWords = {
      "http://", "https://", "www.",     "TEL",      "Tel",      "tel:", "FAX", "Fax",     "Mail",
      "mail:",   "MAIL",     "電話",     "〒",       "株式会社", "有限会社", "合同会社", "(株)", "（株）"};
  const std::size_t at = t.find('@');
  if (at != std::string_view::npos && t.find('.', at) != std::string_view::npos) return true;
  for (const std::string_view w : kWords)
    if (t.find(w) != std::string_view::npos) return true;
  // a department: "サポート部", "営業部 山田"
  if (t.ends_with("部") || t.find("部 ") != std::string_view::npos || t.find("部\u3000") != std::string_view::npos)
    return true;
  return has_phone_number(t);
}

// The lines after a rule (from `pos`) read as a signature: they run to the end of the text or
// to quoted history, are at most kMaxSignatureLines short lines (other rules aside) without a
// sentence end, and one of them gives contact details.
bool signature_follows(std::string_view text, std::size_t pos) {
  int lines = 0;
  bool hint = false;
  for (int k = 0; k < kLookahead; ++k) {
    if (pos >= text.size()) return lines > 0 && hint;
    const Line l = line_at(text, pos);
    const std::string_view t = trim(l.text);
    if (!t.empty()) {
      if (history_at(text, pos)) return lines > 0 && hint;
      if (!is_rule(t)) {
        if (t.size() > kMaxSignatureLineBytes || t.ends_with("。") || ++lines > kMaxSignatureLines) return false;
        hint = hint || contact_hint(t);
      }
    }
    pos = l.next;
  }
  return false;
}

bool is_mobile_signature(std::string_view t) {
  for (const std::string_view s : {"Sent from my iPhone", "Sent from my iPad", "iPhoneから送信", "iPadから送信",
                                   "Androidから送信", "Sent from my Android"})
    if (t == s) return true;
  return false;
}

// The kept text. Lines that may still be dropped wait: blank and quoted lines, a rule and the
// blank and quoted lines after it; a line of text writes them, a cut drops them, the end keeps
// the rule (and what stands before it).
class Output {
 public:
  explicit Output(bool keep_quotes) : keep_quotes_(keep_quotes) {}

  void text(std::string_view line) {
    flush();
    write(line);
  }
  void rule(std::string_view line) {
    if (rule_) write_rule();
    held_before_rule_ = !held_.empty();
    before_rule_ = take_waiting();
    rule_ = line;
  }
  void blank() {
    if (held_.empty()) {
      ++blanks_;
    } else {
      held_ += '\n';
    }
  }
  // Whether the quoted line was dropped.
  bool quote(std::string_view line) {
    if (!keep_quotes_) return gap_ = true;
    held_ += line;
    held_ += '\n';
    return false;
  }
  // Drops what waits; whether quoted lines were among it.
  bool cut() {
    const bool quotes = !held_.empty() || (rule_ && held_before_rule_);
    rule_.reset();
    take_waiting();
    return quotes;
  }
  // The end of the text: a waiting rule stays, the blank and quoted lines after it go.
  bool finish() {
    if (rule_) write_rule();
    return cut();
  }
  std::string take() { return std::move(out_); }

 private:
  void write(std::string_view line) {
    out_ += line;
    out_ += '\n';
  }
  void write_rule() {
    out_ += before_rule_;
    write(*rule_);
    rule_.reset();
  }
  void flush() {
    if (rule_) write_rule();
    out_ += take_waiting();
  }
  // The waiting blank and quoted lines as they are to be written (no blank lines at the start
  // of the text; one blank line where quoted lines were dropped), and nothing waits after.
  std::string take_waiting() {
    std::string w(out_.empty() && !rule_ ? 0 : gap_ ? 1 : blanks_, '\n');
    w += held_;
    blanks_ = 0;
    gap_ = false;
    held_.clear();
    return w;
  }

  bool keep_quotes_;
  std::string out_;
  std::optional<std::string_view> rule_;
  std::string before_rule_;        // the blank and quoted lines above the waiting rule
  bool held_before_rule_ = false;  // quoted lines among them
  std::size_t blanks_ = 0;         // blank lines since the last line (before any held quote)
  bool gap_ = false;               // quoted lines were dropped since the last line
  std::string held_;               // keep_quotes_: quoted lines (and blank lines among them) waiting
};

}  // namespace

ReplyCut cut_reply(std::string_view text, ReplyCutOptions options) {
  ReplyCut cut;
  Output out(options.keep_inline_quotes);
  bool after_underscore_rule = false;  // the last non-blank line was "____" (Outlook puts it above)
  bool ended = false;
  std::size_t pos = 0;
  while (pos < text.size() && !ended) {
    const Line line = line_at(text, pos);
    const std::string_view t = trim(line.text);
    pos = line.next;
    if (t.empty()) {
      out.blank();
      continue;
    }
    const bool underscore = after_underscore_rule;
    after_underscore_rule = false;
    if (options.cut_signature && (line.text == "-- " || line.text == "--")) {
      cut.signature_cut = ended = true;
    } else if (is_quote(line.text)) {
      if (out.quote(line.text)) cut.quote_cut = true;
    } else if (is_original_message(t) || outlook_block(text, line, underscore)) {
      cut.quote_cut = ended = true;
    } else if (const int n = attribution_lines(text, line)) {
      cut.quote_cut = true;
      if (n == 2) pos = line_at(text, pos).next;
      // Quoted lines follow: answers may stand between them (or below). Else the history is
      // not marked line by line (an HTML body's blockquote, a forward): all of it goes.
      ended = !quote_follows(text, pos);
    } else if (is_rule(t)) {
      if (options.cut_signature && signature_follows(text, pos)) {
        cut.signature_cut = ended = true;
      } else {
        out.rule(line.text);
        after_underscore_rule = t.front() == '_';
      }
    } else if (options.cut_signature && is_mobile_signature(t) && only_history_follows(text, pos)) {
      cut.signature_cut = ended = true;
    } else {
      out.text(line.text);
    }
  }
  if (ended ? out.cut() : out.finish()) cut.quote_cut = true;
  cut.text = out.take();
  return cut;
}

namespace {

// The character at s[i] as ASCII, also when it is written full-width (U+FF01..U+FF5E), and its
// length in bytes; {0, 0} for anything else.
std::pair<char, std::size_t> ascii_at(std::string_view s, std::size_t i) {
  if (i >= s.size()) return {0, 0};
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return {static_cast<char>(c), 1};
  if (c == 0xEF && i + 2 < s.size()) {
    const auto b = static_cast<unsigned char>(s[i + 1]);
    const auto d = static_cast<unsigned char>(s[i + 2]);
    if (b == 0xBC && d >= 0x81 && d <= 0xBF) return {static_cast<char>(0x21 + (d - 0x81)), 3};
    if (b == 0xBD && d >= 0x80 && d <= 0x9E) return {static_cast<char>(0x60 + (d - 0x80)), 3};
  }
  return {0, 0};
}

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::size_t skip_space(std::string_view s, std::size_t i) {
  for (;;) {
    if (i < s.size() && (s[i] == ' ' || s[i] == '\t')) {
      ++i;
    } else if (s.substr(i).starts_with(kIdeographicSpace)) {
      i += kIdeographicSpace.size();
    } else {
      return i;
    }
  }
}

// Where the text after one reply/forward prefix at `i` starts, or npos when there is none.
std::size_t prefix_end(std::string_view s, std::size_t i) {
  std::size_t j = std::string_view::npos;
  for (const std::string_view word : {"返信", "転送", "回复", "答复"})
    if (s.substr(i).starts_with(word)) j = i + word.size();
  if (j == std::string_view::npos) {
    std::string word;  // lower-case ASCII, at most four letters (the longest prefix has three)
    j = i;
    while (word.size() < 4) {
      const auto [c, n] = ascii_at(s, j);
      if (n == 0 || !is_letter(c)) break;
      word += static_cast<char>(c | 0x20);
      j += n;
    }
    bool known = false;
    for (const std::string_view p : {"re", "fw", "fwd", "aw", "wg", "sv", "vs"}) known = known || word == p;
    if (!known) return std::string_view::npos;
    // a counter: "[2]", "(2)", "^2"
    if (const auto [open, n] = ascii_at(s, j); n && (open == '[' || open == '(' || open == '^')) {
      std::size_t k = j + n;
      int digits = 0;
      while (digits < 6) {
        const auto [c, m] = ascii_at(s, k);
        if (m == 0 || !is_digit(c)) break;
        ++digits;
        k += m;
      }
      const auto [close, m] = ascii_at(s, k);
      if (digits > 0 && open == '^') {
        j = k;
      } else if (digits > 0 && m && close == (open == '[' ? ']' : ')')) {
        j = k + m;
      }
    }
  }
  j = skip_space(s, j);
  const auto [colon, n] = ascii_at(s, j);
  return n && colon == ':' ? j + n : std::string_view::npos;
}

}  // namespace

std::string strip_subject_prefixes(std::string_view subject) {
  std::size_t i = skip_space(subject, 0);
  for (std::size_t end = prefix_end(subject, i); end != std::string_view::npos; end = prefix_end(subject, i))
    i = skip_space(subject, end);
  return std::string(subject.substr(i));
}

}  // namespace madoguchi::parsers
