// mime_structure.cpp — parse_mime(): the MIME tree from mimetic's parser, behind our bounds.
//
// mimetic's IteratorParser (mimetic/parser/itparser.h) is a header-only template, so it is
// compiled into this file and instrumented by the fuzzer build. We run its input-iterator
// variant, the one that reads line by line: the random-access variant matches a boundary
// anywhere in a line and does pointer arithmetic past the end of the input. Around it:
//
// - Bounds before mimetic sees a byte (bounded_prefix): it allocates one entity per boundary
//   line and recurses once per nested multipart or message/rfc822, so the input is cut before
//   the line at which the number of lines that can start an entity would exceed the limit
//   (and the number of Content-Type lines that can nest would exceed kMaxNesting).
// - Bounds while it reads (Cursor): its header parser grows the name and value buffers by 128
//   bytes at a time (quadratic: a 4 MiB field took 6 s), so it is shown at most kShownField
//   bytes of a field; we complete the value from the raw bytes.
// - Raw values: mimetic replaces the Content-Type value by its own re-serialisation when it
//   reads it, so every header is read a second time by mimetic's own header parser (a probe
//   run on the same bytes, with the same cursor state) before anything converted it.
// - Our boundaries (StructureParser::copy_until_boundary, the parser's one virtual hook): the
//   boundary of every multipart is replaced by the one parse_structured() reads from the raw
//   Content-Type value (mimetic splits parameters at every ';', quoted or not), a multipart
//   without boundary gets one that never matches (mimetic would take every "--" line as its
//   boundary), and a part whose type only we recognise as multipart is parsed as one.
// - Repairs, each checked against Python's email package and our old splitter: an outer
//   delimiter inside an unclosed inner multipart made mimetic return through every level (the
//   rest of the mail was lost): we close the inner multipart and step back to the delimiter
//   line, so the outer one reads it again. A delimiter where a header begins ("--b" right
//   after "--b") or where a header without its blank line stops was read as header: the copy
//   starts at the delimiter line instead. A delimiter at the very end is followed by an empty
//   part (RFC 2046). A last line without line break gets one (mimetic drops such a line in a
//   header and never checks it for a boundary), and the last field of a header that runs to
//   the end is read from a copy that ends with a blank line (mimetic drops it).
#include "parsers/mime.h"

#include <mimetic/mimeentity.h>
#include <mimetic/parser/itparser.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <iterator>
#include <stack>
#include <unordered_map>

namespace madoguchi::parsers {
namespace {

// itparser.h, copy_until_boundary(): a line segment of this many bytes is flushed, and the
// segment after it is then checked for a boundary as if it started a line.
constexpr std::size_t kFlushedSegment = 4093;
// mimetic's header parser grows its buffers 128 bytes at a time (cost about length^2 / 128
// per field): it is shown at most this much of a field, the rest of the value is taken from
// the raw bytes (complete_cut_fields).
constexpr std::size_t kShownField = 4 * 1024;
// A boundary no line can match: lines never contain a line break.
const char* const kNoBoundary = "--\n";
// mimetic recurses once per nested multipart or message/rfc822 entity (about 150 bytes of
// stack a level; 60,000 levels overflowed 8 MiB): at most this many, whatever max_parts.
constexpr std::size_t kMaxNesting = 2000;

bool is_nl(char c) { return c == '\r' || c == '\n'; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool istarts_with(std::string_view s, std::size_t at, std::string_view prefix) {
  return s.size() - at >= prefix.size() && iequals(s.substr(at, prefix.size()), prefix);
}

// After "NAME BLANKS" at `at` (the bytes mimetic's header parser takes as a field name that
// a blank ended): where its header stops and the body begins. npos when `at` has no such
// prefix.
std::size_t after_name_and_blanks(std::string_view line, std::size_t at) {
  std::size_t q = at;
  while (q < line.size()) {
    auto u = static_cast<unsigned char>(line[q]);
    if (u <= 32 || u >= 127 || u == ':') break;
    ++q;
  }
  if (q == at) return std::string_view::npos;
  std::size_t r = q;
  while (r < line.size() && is_blank(line[r])) ++r;
  return r == q || r == line.size() ? std::string_view::npos : r;
}

// What a line can do in mimetic: start an entity, and (a Content-Type field whose type is
// multipart or message) make it recurse one level deeper.
struct LineRole {
  bool entity = false;
  std::size_t content_type = std::string_view::npos;  // where "Content-Type" starts
};

// Whether mimetic could start an entity on this line (CR and LF both end lines, as in
// mimetic): a boundary line ("--..."), or a Content-Type field (a message/rfc822 entity
// nests one more). Both are looked for at the line start and at the places where mimetic's
// header parser stops in mid-line ("Name --x": the body begins at "--x", twice when an
// encapsulated message starts there), and anywhere in a line long enough to be flushed in
// segments. One line creates at most one entity.
LineRole line_role(std::string_view line) {
  LineRole role;
  auto starts = [&](std::size_t at) {
    if (line.compare(at, 2, "--") == 0) return true;
    if (!istarts_with(line, at, "content-type")) return false;
    role.content_type = at;
    return true;
  };
  role.entity = starts(0);
  // (memchr first: most lines without a blank are base64, all name characters)
  const bool blank = std::memchr(line.data(), ' ', line.size()) != nullptr ||
                     std::memchr(line.data(), '\t', line.size()) != nullptr;
  std::size_t p1 =
      role.entity || !blank ? std::string_view::npos : after_name_and_blanks(line, 0);
  if (p1 != std::string_view::npos) {
    role.entity = starts(p1);
    std::size_t p2 = role.entity ? std::string_view::npos : after_name_and_blanks(line, p1);
    if (p2 != std::string_view::npos) role.entity = starts(p2);
  }
  if (!role.entity)
    role.entity = line.size() >= kFlushedSegment && line.find("--") != std::string_view::npos;
  return role;
}

// Whether a Content-Type value (or a folded line of it) may name a type mimetic recurses
// into: multipart (also as only we read it, e.g. quoted) or message. Blank: the type may
// follow on a folded line.
bool may_nest(std::string_view text) {
  if (trim_view(text).empty()) return true;
  for (std::size_t i = 0; i < text.size(); ++i)
    if ((text[i] | 0x20) == 'm' &&
        (istarts_with(text, i, "multipart") || istarts_with(text, i, "message")))
      return true;
  return false;
}

// The length of the prefix of `s`, ending at a line start, in which mimetic creates at most
// `max_entities` entities (the root is one) and recurses at most kMaxNesting levels (each
// level is an entity with a multipart or message Content-Type). Linear; sets *cut when it
// is shorter than `s`.
std::size_t bounded_prefix(std::string_view s, std::size_t max_entities, bool* cut) {
  std::size_t entities = 1;
  std::size_t nesting = 0;
  bool in_content_type = false;  // the last field line was a Content-Type not counted yet
  std::size_t pos = 0;
  auto find = [&](char c, std::size_t from) {
    const void* at = std::memchr(s.data() + from, c, s.size() - from);
    return at ? static_cast<std::size_t>(static_cast<const char*>(at) - s.data()) : s.size();
  };
  std::size_t next_cr = find('\r', 0), next_lf = find('\n', 0);  // the next at or after pos
  while (pos < s.size()) {
    if (next_cr < pos) next_cr = find('\r', pos);
    if (next_lf < pos) next_lf = find('\n', pos);
    std::size_t eol = std::min(next_cr, next_lf);
    std::string_view line = s.substr(pos, eol - pos);
    LineRole role = line.empty() ? LineRole{} : line_role(line);
    bool nests = false;
    if (role.content_type != std::string_view::npos) {
      std::string_view value = line.substr(role.content_type + 12);  // after "Content-Type"
      std::size_t colon = value.find(':');
      nests = may_nest(colon == std::string_view::npos ? value : value.substr(colon + 1));
      in_content_type = !nests;
    } else if (in_content_type && !line.empty() && is_blank(line[0])) {
      nests = may_nest(line.substr(1)) && !trim_view(line).empty();
      if (nests) in_content_type = false;
    } else if (!line.empty()) {
      in_content_type = false;
    }
    if ((role.entity && entities >= max_entities) || (nests && nesting >= kMaxNesting)) {
      *cut = true;
      return pos;
    }
    if (role.entity) ++entities;
    if (nests) ++nesting;
    pos = eol + 1;
  }
  return s.size();
}

// A header field the cursor cut: where it began, and how many fields mimetic's header parser
// had completed then (its own index in the header).
struct FieldCut {
  const char* start;
  std::size_t index;
};

// What the cursor knows while mimetic's header parser reads (header_mode): where the current
// field began. A probe also records the fields it cut.
struct CursorState {
  const char* end = nullptr;
  const char* field_start = nullptr;
  bool header_mode = true;
  const mimetic::Header* header = nullptr;  // the probe's header being filled
  std::vector<FieldCut>* cuts = nullptr;

  // Called with the position just moved to; returns where reading continues.
  const char* advance(const char* p) {
    if (p == end) return p;
    if (is_nl(p[-1])) {
      if (!is_blank(*p) && !is_nl(*p)) field_start = p;  // a new field (not a folded line)
      return p;
    }
    if (static_cast<std::size_t>(p - field_start) <= kShownField) return p;
    if (cuts && (cuts->empty() || cuts->back().start != field_start))
      cuts->push_back({field_start, header->size()});
    // mimetic sees the field end right here: the rest of this line and the folded lines
    // after it are skipped (each would still add a space to its buffer).
    while (true) {
      while (p != end && !is_nl(*p)) ++p;
      if (p == end) return p;
      const char* next = p + 1;
      if (next != end && is_nl(*next) && *next != *p) ++next;
      if (next == end || !is_blank(*next)) return p;
      p = next;
    }
  }
};

// mimetic reads through this input iterator; a pointer with the header-field bound.
class Cursor {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  Cursor() = default;
  Cursor(const char* p, CursorState* s) : p_(p), s_(s) {}
  reference operator*() const { return *p_; }
  Cursor& operator++() {
    ++p_;
    if (s_->header_mode) p_ = s_->advance(p_);
    return *this;
  }
  Cursor operator++(int) {
    Cursor before = *this;
    ++*this;
    return before;
  }
  bool operator==(const Cursor& o) const { return p_ == o.p_; }
  bool operator!=(const Cursor& o) const { return p_ != o.p_; }
  const char* get() const { return p_; }

 private:
  const char* p_ = nullptr;
  CursorState* s_ = nullptr;
};

using ParserBase = mimetic::IteratorParser<Cursor, std::input_iterator_tag>;

// The protected container of a std::stack (the parser's entity stack), read-only use.
template <class S>
const typename S::container_type& stack_container(const S& s) {
  struct Access : S {
    static const typename S::container_type& get(const S& st) { return st.*(&Access::c); }
  };
  return Access::get(s);
}

// Runs only mimetic's header parser (loadHeader) from a position.
class HeaderProbe : public ParserBase {
 public:
  explicit HeaderProbe(mimetic::MimeEntity& scratch) : ParserBase(scratch) {}
  Cursor read(Cursor from, Cursor end) {
    this->m_bit = from;
    this->m_eit = end;
    this->loadHeader();
    return this->m_bit;
  }
};

// Whether the header [from, end) ended with an empty line (the bytes before `end` are two
// line breaks, paired as mimetic pairs them: CR LF and LF CR are one), or was empty.
bool ended_at_blank_line(const char* base, std::size_t from, std::size_t end) {
  std::size_t r = end;
  while (r > from && is_nl(base[r - 1])) --r;
  if (r == end) return false;
  int breaks = 0;
  for (std::size_t i = r; i < end; ++breaks)
    i += (i + 1 < end && is_nl(base[i + 1]) && base[i + 1] != base[i]) ? 2 : 1;
  return breaks >= (r == from ? 1 : 2);
}

struct HeaderRead {
  std::vector<RawField> fields;
  std::size_t header_end = 0;  // where mimetic's header parser stopped
  std::size_t body_start = 0;  // where the body begins as written (the stop line, if bad)
  bool bad = false;
  bool body_from_raw = false;  // mimetic saw that line cut short
};

// The value of the field that starts at `f`, unfolded as mimetic unfolds: blanks after the
// colon dropped, each line break with the blanks after it one space, cut at a NUL (mimetic
// passes values as C strings). Empty when the line has no colon.
bool raw_field(const char* f, const char* end, std::string* name, std::string* value) {
  const char* colon = f;
  while (colon != end && *colon != ':' && !is_nl(*colon)) ++colon;
  if (colon == end || *colon != ':') return false;
  const char* n = colon;
  while (n != f && is_blank(n[-1])) --n;
  name->assign(f, n);
  value->clear();
  const char* p = colon + 1;
  while (p != end && is_blank(*p)) ++p;
  while (p != end) {
    if (!is_nl(*p)) {
      if (*p == '\0') break;
      *value += *p++;
      continue;
    }
    char c = *p++;
    if (p != end && is_nl(*p) && *p != c) ++p;
    if (p == end || !is_blank(*p)) break;
    while (p != end && is_blank(*p)) ++p;
    *value += ' ';
  }
  if (auto nul = value->find('\0'); nul != std::string::npos) value->resize(nul);
  return true;
}

// mimetic saw only the first kShownField bytes of these fields; the rest of their value comes
// from the raw bytes. The field itself (that it is one, its name, its place) is mimetic's.
void complete_cut_fields(const std::vector<FieldCut>& cuts, const char* end,
                         std::vector<RawField>& fields) {
  std::string name, value;
  for (const FieldCut& cut : cuts) {
    if (cut.index >= fields.size() || !raw_field(cut.start, end, &name, &value)) continue;
    if (fields[cut.index].name == name) fields[cut.index].value = std::move(value);
  }
}

std::vector<RawField> probe_fields(const char* base, std::size_t size, std::size_t from,
                                   CursorState& st, std::size_t* stop,
                                   std::vector<FieldCut>* cuts) {
  mimetic::MimeEntity scratch;
  HeaderProbe probe(scratch);
  st.header_mode = true;
  st.header = &scratch.header();
  st.cuts = cuts;
  Cursor end = probe.read(Cursor(base + from, &st), Cursor(base + size, &st));
  st.header = nullptr;
  st.cuts = nullptr;
  *stop = static_cast<std::size_t>(end.get() - base);
  std::vector<RawField> fields;
  for (const auto& f : scratch.header()) fields.push_back({std::string(f.name()), f.value()});
  complete_cut_fields(*cuts, base + size, fields);
  return fields;
}

// Reads the header at `from` with mimetic's header parser. `st` must be the cursor state the
// main parse had at that position (so that both cut the same fields), and is advanced.
HeaderRead read_header(const char* base, std::size_t size, std::size_t from, CursorState& st) {
  const CursorState before = st;
  HeaderRead h;
  std::vector<FieldCut> cuts;
  h.fields = probe_fields(base, size, from, st, &h.header_end, &cuts);
  const bool blank = ended_at_blank_line(base, from, h.header_end);
  if (h.header_end == size && !blank && size > from) {
    // mimetic adds a field when the next line begins, so at the end of the input the last
    // field is lost: read a copy that ends with a blank line (only such a header is copied).
    std::size_t origin = std::min(from, static_cast<std::size_t>(before.field_start - base));
    std::string copy(base + origin, size - origin);
    copy += "\n\n";
    CursorState again = before;
    again.end = copy.data() + copy.size();
    again.field_start = copy.data() + (before.field_start - base - origin);
    std::size_t stop = 0;
    std::vector<FieldCut> copy_cuts;
    h.fields = probe_fields(copy.data(), copy.size(), from - origin, again, &stop, &copy_cuts);
  }
  h.bad = h.header_end < size && !blank;
  // On a line that is not a field mimetic stops where the line stopped looking like one and
  // moves the bytes before it into the body; that line began where the last field began (or
  // where this header began, when it began in mid-line).
  h.body_start = h.header_end;
  if (h.bad) h.body_start = std::max(from, static_cast<std::size_t>(st.field_start - base));
  if (h.body_start > h.header_end) h.body_start = h.header_end;
  // When that line was cut too, mimetic's copy of the body misses bytes: use the raw ones.
  for (const FieldCut& cut : cuts)
    if (h.bad && cut.start == base + h.body_start) h.body_from_raw = true;
  return h;
}

// What we learn about one entity while mimetic parses it.
struct EntityInfo {
  std::vector<RawField> fields;
  std::size_t header_start = 0;
  std::size_t body_start = 0;
  std::size_t content_end = 0;  // end of its own body or preamble as copied
  std::size_t subtree_end = 0;  // where the entity's bytes end (see complete())
  bool bad_header = false;
  bool body_from_raw = false;
  bool multipart = false;       // its boundary was on mimetic's boundary list
  bool no_boundary = false;
  bool closed = false;
  bool ended_by_parent = false;  // an outer delimiter ended it (closed by us)
  bool empty_last_part = false;  // a delimiter ended the input (an empty part follows it)
};

// The one virtual function of mimetic's parser is copy_until_boundary(), called for every
// leaf body, preamble and epilogue in document order. Overriding it gives us every point where
// a header has just been read (so the entities mimetic pushed since are known), the boundary
// list right after a multipart pushed its boundary, and the result of every boundary match.
class StructureParser : public ParserBase {
 public:
  StructureParser(mimetic::MimeEntity& root, const char* base, std::size_t size,
                  std::size_t real_size)
      : ParserBase(root), base_(base), size_(size), real_size_(real_size) {
    state_.end = base + size;
    state_.field_start = base;
    snapshot_ = state_;
  }

  void parse() {
    this->run(Cursor(base_, &state_), Cursor(base_ + size_, &state_));
    while (!mirror_.empty()) complete();
  }

  std::unordered_map<const mimetic::MimeEntity*, EntityInfo>& info() { return info_; }
  bool out_of_step() const { return out_of_step_; }
  std::string_view raw(std::size_t from, std::size_t to) const {
    to = std::min(to, real_size_);
    return from < to ? std::string_view(base_ + from, to - from) : std::string_view();
  }

 protected:
  void copy_until_boundary(mimetic::ParsingElem pe) override {
    const auto& stack = stack_container(this->m_entityStack);
    mimetic::MimeEntity* top = stack.back();
    const std::size_t start_at = offset();
    const bool first = register_new_entities(stack, start_at);
    EntityInfo& ti = info_[top];
    auto& boundaries = this->m_boundaryList;
    if (owners_.size() > boundaries.size()) owners_.resize(boundaries.size());

    const bool first_copy = (pe == ParserBase::peBody && first) || pe == ParserBase::pePreamble;
    std::size_t start = start_at;
    if (pe == ParserBase::pePreamble && !boundaries.empty()) {
      // loadMultipart() has just pushed mimetic's idea of the boundary: ours goes there.
      owners_.resize(boundaries.size() - 1);
      owners_.push_back({top, stack.size() - 1});
      ti.multipart = true;
      boundaries.front() = kNoBoundary;
    }
    if (first_copy && delimiter_at(ti.header_start)) {
      // A delimiter right where this entity's header began ("--b" right after "--b"):
      // mimetic read it as the header (as a field when the boundary has a ':'), so the part
      // is empty and the delimiter was missed. Copy from the delimiter line instead.
      ti.fields.clear();
      ti.bad_header = false;
      ti.body_from_raw = false;
      ti.body_start = start = ti.header_start;
      top->body().clear();
      this->m_bit = Cursor(base_ + start, &state_);
    }
    if (pe == ParserBase::pePreamble && !boundaries.empty()) {
      const std::string* ours = nullptr;
      StructuredValue ct;
      if (const RawField* f = find_field(ti.fields, "Content-Type")) ct = parse_structured(f->value);
      if (ct.value.rfind("multipart/", 0) == 0) ours = ct.param("boundary");
      if (ours && !ours->empty()) boundaries.front() = "--" + *ours;
      else ti.no_boundary = true;
    } else if (pe == ParserBase::peBody && first && start == start_at &&
               multipart_by_our_reading(ti)) {
      // mimetic did not read the type as multipart ("multipart /mixed", a quoted or
      // commented type); we do, so let mimetic split it (the preamble call above fixes the
      // boundary). Boundary lines are pre-scanned like any others.
      this->loadMultipart();
      return;
    }
    if (first_copy && start == start_at && ti.bad_header && delimiter_at(ti.body_start)) {
      // The header stopped at a delimiter line (its blank line is missing): mimetic moved
      // that line into the body and would miss it. Copy from the delimiter line instead.
      top->body().clear();
      ti.body_from_raw = false;
      start = ti.body_start;
      this->m_bit = Cursor(base_ + start, &state_);
    }
    std::string& target = pe == ParserBase::pePreamble   ? top->body().preamble()
                          : pe == ParserBase::peEpilogue ? top->body().epilogue()
                                                         : top->body();
    const std::size_t before = target.size();
    // A copy that ends at the end of the input leaves the previous match in place.
    this->m_lastBoundary = ParserBase::NoBoundary;
    state_.header_mode = false;
    ParserBase::copy_until_boundary(pe);
    state_.header_mode = true;
    // mimetic copies the bytes from `start` on, up to the line break before the delimiter.
    std::size_t content_end = start + (target.size() - before);
    if (content_end > real_size_) {  // the line break parse_mime() added at the end
      target.resize(target.size() - (content_end - std::max(start, real_size_)));
      content_end = real_size_;
    }
    if (content_end == start && this->m_lastBoundary != ParserBase::NoBoundary &&
        delimiter_line_start(start, offset()) == start) {
      // Nothing before the delimiter: the line break before it, which ended the line before,
      // belongs to the delimiter (RFC 2046), so the content ends before that break.
      std::size_t q = start;
      if (q > 0 && is_nl(base_[q - 1])) {
        --q;
        if (q > 0 && is_nl(base_[q - 1]) && base_[q - 1] != base_[q]) --q;
      }
      content_end = q;
    }
    if (pe != ParserBase::peEpilogue) ti.content_end = content_end;
    std::size_t end = offset();
    mimetic::MimeEntity* owner = owners_.empty() ? nullptr : owners_.back().entity;
    last_owner_level_ = owners_.empty() || this->m_lastBoundary == ParserBase::NoBoundary ||
                                this->m_lastBoundary == ParserBase::HigherLevelBoundary
                            ? std::string::npos
                            : owners_.back().level;
    if (this->m_lastBoundary == ParserBase::ClosingBoundary) {
      if (owner) info_[owner].closed = true;
    } else if (this->m_lastBoundary == ParserBase::Boundary && this->m_bit == this->m_eit) {
      // mimetic adds no part after a delimiter at the very end; RFC 2046 (and Python) see
      // an empty one there.
      if (owner) info_[owner].empty_last_part = true;
    } else if (this->m_lastBoundary == ParserBase::HigherLevelBoundary) {
      // An outer delimiter inside the innermost multipart: mimetic would return through every
      // level. Close the innermost one and read the delimiter line again, one level up.
      end = delimiter_line_start(std::min(content_end, end), end);
      this->m_bit = Cursor(base_ + end, &state_);
      this->m_lastBoundary = ParserBase::ClosingBoundary;
      if (owner) info_[owner].ended_by_parent = true;
    }
    last_end_ = end;
    last_content_end_ = content_end;
    state_.field_start = base_ + end;
    snapshot_ = state_;
  }

 private:
  std::size_t offset() const { return static_cast<std::size_t>(this->m_bit.get() - base_); }

  // The entity on top of our mirror of the stack is complete. Its bytes end where the last
  // copy within it ended: before the delimiter that ended that copy, or after it when the
  // delimiter belongs to the entity or a multipart inside it (then the input ended there, or
  // another copy within it would have followed).
  void complete() {
    const std::size_t level = mirror_.size() - 1;
    bool inner = last_owner_level_ != std::string::npos && last_owner_level_ >= level;
    info_[mirror_.back()].subtree_end = inner ? std::min(last_end_, real_size_) : last_content_end_;
    mirror_.pop_back();
  }

  // The entities on the stack mimetic pushed since the previous call (the entity whose body
  // is about to be copied and the message/rfc822 entities around it) get their headers read
  // by the probe, in order, from where the previous copy stopped. Entities popped since then
  // are complete. Returns whether the top entity is new.
  bool register_new_entities(const std::deque<mimetic::MimeEntity*>& stack, std::size_t start) {
    std::size_t fresh = 0;
    while (fresh < stack.size() && !info_.count(stack[stack.size() - 1 - fresh])) ++fresh;
    const std::size_t keep = stack.size() - fresh;
    while (mirror_.size() > keep) complete();
    CursorState st = snapshot_;  // the state mimetic's own header reads started from
    std::size_t from = last_end_;
    for (std::size_t i = keep; i < stack.size(); ++i) {
      HeaderRead h = read_header(base_, size_, from, st);
      EntityInfo& in = info_[stack[i]];
      in.fields = std::move(h.fields);
      in.header_start = from;
      in.bad_header = h.bad;
      in.body_start = h.body_start;
      in.body_from_raw = h.body_from_raw;
      from = h.header_end;
      mirror_.push_back(stack[i]);
    }
    if (fresh > 0 && from != start) out_of_step_ = true;
    return fresh > 0;
  }

  // Whether a delimiter of an open multipart begins at `at`.
  bool delimiter_at(std::size_t at) {
    std::size_t eol = at;
    while (eol < size_ && !is_nl(base_[eol])) ++eol;
    if (eol - at < 2 || base_[at] != '-' || base_[at + 1] != '-') return false;
    const auto last = this->m_lastBoundary;  // isBoundary() records what it found
    bool delimiter =
        this->isBoundary(std::string(base_ + at, eol - at)) != ParserBase::NoBoundary;
    this->m_lastBoundary = last;
    return delimiter;
  }

  static bool multipart_by_our_reading(const EntityInfo& ti) {
    const RawField* f = find_field(ti.fields, "Content-Type");
    if (!f || f->value.find_first_of("mM") == std::string::npos) return false;
    StructuredValue ct = parse_structured(f->value);
    const std::string* b = ct.param("boundary");
    return ct.value.rfind("multipart/", 0) == 0 && b && !b->empty();
  }

  // Start of the delimiter line that ended a copy at `end`: back over its line break (one
  // or two bytes), then over the line, but not before the copied content ended.
  std::size_t delimiter_line_start(std::size_t content_end, std::size_t end) const {
    std::size_t q = end;
    if (q > content_end && is_nl(base_[q - 1])) {
      --q;
      if (q > content_end && is_nl(base_[q - 1]) && base_[q - 1] != base_[q]) --q;
    }
    while (q > content_end && !is_nl(base_[q - 1])) --q;
    return q;
  }

  const char* base_;
  std::size_t size_;
  std::size_t real_size_;
  CursorState state_;
  CursorState snapshot_;  // state_ where the last copy ended: where header reads start
  std::size_t last_end_ = 0;
  std::size_t last_content_end_ = 0;
  std::unordered_map<const mimetic::MimeEntity*, EntityInfo> info_;
  std::vector<mimetic::MimeEntity*> mirror_;  // the entity stack as of the last call
  struct Owner {
    mimetic::MimeEntity* entity;
    std::size_t level;  // its place on the entity stack
  };
  std::vector<Owner> owners_;  // owner of each boundary on the list, outermost first
  std::size_t last_owner_level_ = std::string::npos;  // of the delimiter that ended the last copy
  bool out_of_step_ = false;
};

// Converts mimetic's tree to ours, moving the bodies out of it.
Entity convert(StructureParser& p, mimetic::MimeEntity& me, std::size_t levels) {
  Entity e;
  auto it = p.info().find(&me);
  if (it == p.info().end()) return e;
  EntityInfo& in = it->second;
  e.fields = std::move(in.fields);
  e.bad_header = in.bad_header;
  e.raw_size = in.subtree_end > in.body_start ? in.subtree_end - in.body_start : 0;
  auto& parts = me.body().parts();
  if (in.multipart) {
    e.kind = Entity::Kind::multipart;
    e.closed = in.closed;
    e.open_at_end = !in.closed && !in.ended_by_parent;
    e.no_boundary = in.no_boundary;
    if (e.no_boundary)
      e.body = in.body_from_raw ? std::string(p.raw(in.body_start, in.content_end))
                                : me.body() + me.body().preamble();
  } else if (!parts.empty()) {
    e.kind = Entity::Kind::message;
    e.body = std::string(p.raw(in.body_start, in.subtree_end));
  } else {
    if (in.body_from_raw) e.body = std::string(p.raw(in.body_start, in.content_end));
    else e.body = std::move(static_cast<std::string&>(me.body()));
    e.raw_size = e.body.size();
  }
  if (levels > 0) {
    for (mimetic::MimeEntity* c : parts) e.children.push_back(convert(p, *c, levels - 1));
    if (in.empty_last_part) e.children.emplace_back();
  }
  return e;
}

std::string_view skip_bom_and_mbox_line(std::string_view s) {
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);  // written by some exporters
  if (s.substr(0, 5) == "From ") {  // mbox separator: mimetic would take it as body
    std::size_t nl = s.find('\n');
    s.remove_prefix(nl == std::string_view::npos ? s.size() : nl + 1);
  }
  return s;
}

}  // namespace

MimeTree parse_mime(std::string_view bytes, std::size_t max_entities, std::size_t max_depth) {
  MimeTree tree;
  bytes = skip_bom_and_mbox_line(bytes);
  bytes = bytes.substr(0, bounded_prefix(bytes, max_entities < 1 ? 1 : max_entities, &tree.cut));
  // mimetic checks a line for a boundary only when a line break ends it, and drops a last
  // line it reads as a header without one ("world" as the whole of an attached message):
  // give the last line its line break (removed again from whatever body it lands in).
  std::string with_break;
  std::string_view input = bytes;
  if (!bytes.empty() && !is_nl(bytes.back())) {
    with_break.reserve(bytes.size() + 1);
    with_break.append(bytes).push_back('\n');
    input = with_break;
  }
  mimetic::MimeEntity root;
  StructureParser parser(root, input.data(), input.size(), bytes.size());
  parser.parse();
  tree.entities = parser.info().size();
  tree.out_of_step = parser.out_of_step();
  tree.root = convert(parser, root, max_depth);
  return tree;
}

std::vector<RawField> parse_header_fields(std::string_view bytes) {
  CursorState st;
  st.end = bytes.data() + bytes.size();
  st.field_start = bytes.data();
  return read_header(bytes.data(), bytes.size(), 0, st).fields;
}

}  // namespace madoguchi::parsers
