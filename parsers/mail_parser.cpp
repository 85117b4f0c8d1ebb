// mail_parser.cpp — parse_mail(): raw RFC 5322 bytes to ParsedMail.
//
// Walks the MIME tree that mimetic's parser gives us (mime.h: parse_mime, bounded before and
// while mimetic reads), reads every type, parameter and file name with our own
// parse_structured(), decodes transfer encodings and charsets with our decoders, and picks the
// body text the way a reader would: text/plain preferred in multipart/alternative, text/html
// converted when it is the only body, inline text parts of multipart/mixed joined in order,
// the text of an attached message only when the mail has no text of its own. An attached
// message that mimetic could not read as one (base64 or quoted-printable encoded, a
// multipart/digest part without Content-Type, message/global) is decoded by us and parsed
// again through parse_mime() with the part and depth budget that is left. Everything that
// goes wrong becomes a Warning; nothing throws out.
#include "parsers/parsed_mail.h"

#include "parsers/address.h"
#include "parsers/charset.h"
#include "parsers/date.h"
#include "parsers/encoded_words.h"
#include "parsers/html_text.h"
#include "parsers/mime.h"
#include "parsers/transfer_encoding.h"

#include <exception>
#include <limits>
#include <new>

namespace madoguchi::parsers {
namespace {

constexpr std::size_t max_warnings = 64;

struct Piece {
  std::string text;
  bool html = false;
};

// What one entity contributes to the body text of its message.
struct Body {
  std::vector<Piece> pieces;
  std::string nested_text;  // text of the first attached message, the fallback
  bool has_plain() const {
    for (const auto& p : pieces)
      if (!p.html) return true;
    return false;
  }
  bool empty() const { return pieces.empty(); }
};

struct Context {
  const ParseOptions& options;
  ParsedMail& mail;
  std::size_t parts = 0;
  bool parts_exhausted = false;
  bool depth_warned = false;
  bool tree_cut = false;  // the tree being walked was cut by parse_mime's entity bound

  void warn(WarningCode code, bool critical, std::string detail) {
    for (const auto& w : mail.warnings)
      if (w.code == code && w.detail == detail) return;
    if (mail.warnings.size() >= max_warnings) return;
    mail.warnings.push_back({code, critical, std::move(detail)});
  }
};

std::string normalize_newlines(std::string s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string strip_comments_lower(std::string_view v) {
  std::string out;
  int depth = 0;
  for (char c : v) {
    if (c == '(') { ++depth; continue; }
    if (c == ')' && depth > 0) { --depth; continue; }
    if (depth == 0) out += c;
  }
  return ascii_lower(trim_view(out));
}

std::string message_id_of(const std::vector<RawField>& fields) {
  const RawField* f = find_field(fields, "Message-ID");
  if (!f) return "";
  auto ids = parse_msg_ids(f->value);
  if (!ids.empty()) return ids.front();
  return std::string(trim_view(f->value));
}

// RFC 3676 format=flowed: a line ending in a space continues on the next line (with
// delsp=yes the space itself goes, which Japanese mailers use as there are no spaces between
// words); a leading space is stuffing. Quote depth must match for lines to join.
std::string unflow(std::string_view text, bool delsp) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  bool joining = false;
  std::size_t joining_depth = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    std::size_t depth = 0;
    while (depth < line.size() && line[depth] == '>') ++depth;
    std::string_view content = line.substr(depth);
    if (!content.empty() && content.front() == ' ') content.remove_prefix(1);  // stuffing
    if (joining && depth != joining_depth) out += '\n';
    if (!joining || depth != joining_depth) {
      out.append(line.substr(0, depth));
      if (depth > 0) out += ' ';
    }
    bool soft = !content.empty() && content.back() == ' ' && content != "-- ";
    // delsp=yes deletes the soft space. Mailers that set it for Western text with one space
    // between words exist (MimeKit issue 1130), so after an ASCII letter or digit the space
    // is kept: Japanese text, the reason for delsp, still joins without one.
    if (soft && delsp) {
      char before = content.size() >= 2 ? content[content.size() - 2] : ' ';
      bool ascii_word = (before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z') ||
                        (before >= '0' && before <= '9') || before == ',' || before == '.';
      if (!ascii_word) content.remove_suffix(1);
    }
    out += content;
    if (!soft && nl != std::string_view::npos) out += '\n';
    joining = soft;
    joining_depth = depth;
  }
  return out;
}

// Decodes a text leaf to UTF-8 and records its warnings.
std::string decode_text(Context& ctx, std::string_view bytes, const std::string& charset,
                        bool html) {
  std::string label = charset;
  if (label.empty() && html) label = html_meta_charset(bytes);
  CharsetResult r = decode_charset(bytes, label);
  if (r.unknown_label)
    ctx.warn(WarningCode::unknown_charset, false, "unknown charset, sniffed " + r.used);
  if (r.label_mismatch)
    ctx.warn(WarningCode::charset_mismatch, false,
             "bytes did not match charset " + label.substr(0, 40) + ", read as " + r.used);
  if (r.invalid_bytes)
    ctx.warn(WarningCode::invalid_bytes, false, "invalid bytes in a text part replaced");
  return normalize_newlines(std::move(r.text));
}

Body parse_entity(Context& ctx, const Entity& entity, std::size_t depth, Part& part,
                  bool default_rfc822, bool in_report, bool top);

// Fills the top-level header fields of ParsedMail.
void fill_headers(Context& ctx, const Entity& entity) {
  ParsedMail& m = ctx.mail;
  if (entity.bad_header) ctx.warn(WarningCode::bad_header, false, "header line without a colon");
  m.headers.reserve(entity.fields.size());
  bool seen_from = false;
  for (const auto& f : entity.fields) {
    EncodedWordsResult d = decode_encoded_words(f.value);
    std::string name(f.name);
    if (d.bad_word)
      ctx.warn(WarningCode::bad_encoded_word, false, "undecodable encoded-word in " + name.substr(0, 40));
    // Raw UTF-8 is legal (RFC 6532); other raw 8-bit bytes were guessed at.
    if (d.raw_8bit && !is_valid_utf8(f.value))
      ctx.warn(WarningCode::bad_header, false, "8-bit bytes in " + name.substr(0, 40));
    if (d.unknown_charset)
      ctx.warn(WarningCode::unknown_charset, false, "unknown charset in " + name.substr(0, 40));
    if (d.invalid_bytes)
      ctx.warn(WarningCode::invalid_bytes, false, "invalid bytes in " + name.substr(0, 40));
    m.headers.push_back({std::move(name), std::string(trim_view(d.text))});
    const std::string& value = m.headers.back().value;
    std::string_view raw = f.value;
    auto is = [&](std::string_view n) { return iequals(f.name, n); };
    if (is("Subject")) {
      if (m.subject.empty()) m.subject = value;
    } else if (is("From")) {
      // A second From field is a forgery trick: the first one counts, like every reader.
      if (seen_from) ctx.warn(WarningCode::bad_header, false, "more than one From field");
      else m.from = parse_address_list(raw);
      seen_from = true;
    } else if (is("To")) {
      for (auto& a : parse_address_list(raw)) m.to.push_back(std::move(a));
    } else if (is("Cc")) {
      for (auto& a : parse_address_list(raw)) m.cc.push_back(std::move(a));
    } else if (is("Reply-To")) {
      for (auto& a : parse_address_list(raw)) m.reply_to.push_back(std::move(a));
    } else if (is("Delivered-To") || is("X-Original-To")) {
      for (auto& a : parse_address_list(raw)) m.delivered_to.push_back(std::move(a));
    } else if (is("Return-Path")) {
      if (!m.return_path) {
        std::string_view t = trim_view(raw);
        if (t.find('<') != std::string_view::npos) {
          auto lt = t.find('<');
          auto gt = t.find('>', lt);
          std::string_view inner = t.substr(lt + 1, gt == std::string_view::npos ? t.npos : gt - lt - 1);
          m.return_path = std::string(trim_view(inner));
        } else {
          m.return_path = std::string(t);
        }
      }
    } else if (is("Date")) {
      if (m.date.empty()) {
        m.date = std::string(trim_view(raw));
        m.date_utc = parse_rfc5322_date(raw);
      }
    } else if (is("Message-ID")) {
      if (m.message_id.empty()) {
        auto ids = parse_msg_ids(raw);
        m.message_id = ids.empty() ? std::string(trim_view(raw)) : ids.front();
      }
    } else if (is("In-Reply-To")) {
      if (m.in_reply_to.empty()) {
        auto ids = parse_msg_ids(raw);
        if (!ids.empty()) m.in_reply_to = ids.front();
      }
    } else if (is("References")) {
      if (m.references.empty()) m.references = parse_msg_ids(raw);
    } else if (is("Auto-Submitted")) {
      if (m.auto_submitted.empty()) m.auto_submitted = strip_comments_lower(raw);
    } else if (is("Precedence")) {
      if (m.precedence.empty()) m.precedence = strip_comments_lower(raw);
    } else if (is("List-Id")) {
      if (m.list_id.empty()) m.list_id = value;
    } else if (is("Authentication-Results")) {
      m.authentication_results.emplace_back(trim_view(raw));
    }
  }
}

Body parse_multipart(Context& ctx, const Entity& entity, std::size_t depth, Part& part,
                     bool is_report) {
  Body out;
  if (entity.kind != Entity::Kind::multipart || entity.no_boundary) {
    // mimetic was given a boundary that never matches, so the whole body is here.
    ctx.warn(WarningCode::missing_boundary, true, "multipart without boundary: read as text");
    std::string text = decode_text(ctx, entity.body, "", false);
    if (!trim_view(text).empty()) out.pieces.push_back({std::move(text), false});
    return out;
  }
  // A multipart still open where parse_mime cut the input is not the mail's fault.
  if (!entity.closed && !(entity.open_at_end && ctx.tree_cut))
    ctx.warn(WarningCode::missing_boundary, false, "multipart without closing delimiter");
  if (entity.children.empty() && !entity.closed)
    ctx.warn(WarningCode::missing_boundary, true, "multipart boundary never found");
  bool alternative = part.content_type == "multipart/alternative";
  bool digest = part.content_type == "multipart/digest";
  std::vector<Body> children;
  for (const auto& child : entity.children) {
    if (ctx.parts >= ctx.options.max_parts) {
      ctx.parts_exhausted = true;
      break;
    }
    part.children.emplace_back();
    children.push_back(parse_entity(ctx, child, depth + 1, part.children.back(), digest, is_report, false));
  }
  if (ctx.parts_exhausted)
    ctx.warn(WarningCode::too_many_parts, true, "part limit reached: later parts ignored");
  if (alternative) {
    // Prefer the plain alternative; fall back to the first that has any text.
    const Body* best = nullptr;
    for (const auto& c : children)
      if (c.has_plain()) { best = &c; break; }
    if (!best)
      for (const auto& c : children)
        if (!c.empty()) { best = &c; break; }
    if (best) out.pieces = best->pieces;
  } else {
    for (auto& c : children)
      for (auto& p : c.pieces) out.pieces.push_back(std::move(p));
  }
  for (auto& c : children)
    if (out.nested_text.empty() && !c.nested_text.empty()) out.nested_text = std::move(c.nested_text);
  return out;
}

std::string join_text(const Body& b) {
  std::string out;
  bool plain = b.has_plain();
  for (const auto& p : b.pieces) {
    if (p.html && plain) continue;
    std::string t = p.html ? html_to_text(p.text) : p.text;
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += t;
  }
  return out;
}

// The warnings about a tree parse_mime returned.
void note_tree(Context& ctx, const MimeTree& tree) {
  if (tree.cut) ctx.warn(WarningCode::too_many_parts, true, "part limit reached: later parts ignored");
  // A bug of ours, not of the mail: only the bytes of attached messages may be off.
  if (tree.out_of_step)
    ctx.warn(WarningCode::internal_error, true, "parser bug: mime positions out of step");
}

// The entity budget of the pre-scan. It counts every line that *could* start an entity
// ("--…" lines, Content-Type fields), so a plain mail with a pasted log or SQL full of
// "--" lines would be cut at max_parts although it has one part; the walk below enforces
// max_parts on the real parts, and the pre-scan only has to keep mimetic's allocations and
// recursion bounded, which this multiple still does (a few MB of entities at most).
std::size_t prescan_budget(std::size_t max_parts) {
  constexpr std::size_t factor = 8;
  return max_parts > std::numeric_limits<std::size_t>::max() / factor ? max_parts : max_parts * factor;
}

bool identity_encoding(std::string_view cte) {
  return cte.empty() || cte == "7bit" || cte == "8bit" || cte == "binary";
}

// An encapsulated message mimetic did not read itself: parses the decoded bytes through
// parse_mime() again, within the parts and depth that are left. Returns the root's header
// fields through *fields (for the attachment name and the DSN) and the message's Body.
Body parse_encapsulated(Context& ctx, std::string_view decoded, std::size_t depth, Part& part,
                        std::vector<RawField>* fields) {
  if (ctx.parts >= ctx.options.max_parts) {
    ctx.parts_exhausted = true;
    ctx.warn(WarningCode::too_many_parts, true, "part limit reached: later parts ignored");
    return {};
  }
  MimeTree tree = parse_mime(decoded, prescan_budget(ctx.options.max_parts - ctx.parts),
                             ctx.options.max_depth > depth ? ctx.options.max_depth - depth : 0);
  note_tree(ctx, tree);
  bool outer_cut = ctx.tree_cut;
  ctx.tree_cut = tree.cut;
  part.children.emplace_back();
  Body nested = parse_entity(ctx, tree.root, depth, part.children.back(), false, false, false);
  ctx.tree_cut = outer_cut;
  *fields = std::move(tree.root.fields);
  return nested;
}

Body parse_entity(Context& ctx, const Entity& entity, std::size_t depth, Part& part,
                  bool default_rfc822, bool in_report, bool top) {
  ++ctx.parts;
  Body out;
  if (top) fill_headers(ctx, entity);
  else if (entity.bad_header) ctx.warn(WarningCode::bad_header, false, "part header line without a colon");

  const std::vector<RawField>& fields = entity.fields;
  const RawField* ctf = find_field(fields, "Content-Type");
  StructuredValue ct;
  if (ctf) ct = parse_structured(ctf->value);
  if (ct.value.find('/') == std::string::npos)
    ct.value = default_rfc822 ? "message/rfc822" : "text/plain";
  part.content_type = ct.value;
  if (const auto* cs = ct.param("charset")) part.charset = ascii_lower(trim_view(*cs));
  if (const RawField* cte = find_field(fields, "Content-Transfer-Encoding"))
    part.transfer_encoding = strip_comments_lower(cte->value);
  StructuredValue cd;
  if (const RawField* cdf = find_field(fields, "Content-Disposition")) cd = parse_structured(cdf->value);
  part.disposition = cd.value == "inline" || cd.value == "attachment" ? cd.value : "";
  if (const auto* fn = cd.param("filename"); fn && !fn->empty()) part.filename = *fn;
  else if (const auto* nm = ct.param("name"); nm && !nm->empty()) part.filename = *nm;
  if (cd.bad_encoding || ct.bad_encoding)
    ctx.warn(WarningCode::bad_encoded_word, false, "undecodable parameter value");

  const std::string& type = part.content_type;
  bool is_multipart = type.rfind("multipart/", 0) == 0;
  bool is_message = type == "message/rfc822" || type == "message/global";

  if (top && type == "multipart/report") {
    const std::string* rt = ct.param("report-type");
    if (rt && (iequals(*rt, "delivery-status") || iequals(*rt, "global-delivery-status")))
      ctx.mail.is_delivery_status = true;
  }
  bool report_here = in_report || (type == "multipart/report" && !default_rfc822);

  if ((is_multipart || is_message) && depth >= ctx.options.max_depth) {
    if (!ctx.depth_warned) ctx.warn(WarningCode::too_deep, true, "nesting limit reached");
    ctx.depth_warned = true;
    part.size = entity.raw_size;
    return out;
  }
  if (is_multipart) {
    return parse_multipart(ctx, entity, depth, part, type == "multipart/report");
  }

  // `body` is the entity's bytes as written: a leaf body, or the encapsulated message mimetic
  // parsed (kind message), or the text of a multipart mimetic was told has no boundary.
  bool damaged = false;
  std::string decoded = decode_transfer(entity.body, part.transfer_encoding, &damaged);
  if (damaged)
    ctx.warn(WarningCode::bad_transfer_encoding, false,
             "damaged " + part.transfer_encoding.substr(0, 40) + " body");
  part.size = decoded.size();

  if (is_message) {
    Body nested;
    std::vector<RawField> inner_fields;
    const std::vector<RawField>* inner = &inner_fields;
    std::string_view b = entity.body;
    bool mbox_start = b.substr(0, 3) == "\xEF\xBB\xBF" || b.substr(0, 5) == "From ";
    if (entity.kind == Entity::Kind::message && identity_encoding(part.transfer_encoding) &&
        !mbox_start && !entity.children.empty()) {
      // mimetic read the encapsulated message in place: walk it (a child context, so its
      // headers do not overwrite ours).
      part.children.emplace_back();
      inner = &entity.children.front().fields;
      nested = parse_entity(ctx, entity.children.front(), depth + 1, part.children.back(), false,
                            false, false);
    } else {
      // mimetic read base64 or quoted-printable text as a header, or did not know the type.
      nested = parse_encapsulated(ctx, decoded, depth + 1, part, &inner_fields);
    }
    if (report_here && ctx.mail.dsn_original_message_id.empty())
      ctx.mail.dsn_original_message_id = message_id_of(*inner);
    std::string text = join_text(nested);
    out.nested_text = text.empty() ? std::move(nested.nested_text) : std::move(text);
    Attachment a;
    a.filename = part.filename;
    if (a.filename.empty()) {
      const RawField* s = find_field(*inner, "Subject");
      a.filename = (s ? decode_header_text(trim_view(s->value)) : std::string("message")) + ".eml";
    }
    a.content_type = type;
    a.size = decoded.size();
    if (ctx.options.keep_attachment_content) a.content = std::move(decoded);
    ctx.mail.attachments.push_back(std::move(a));
    return out;
  }
  // RFC 6533's message/global-headers is text/rfc822-headers with UTF-8 allowed.
  if ((type == "text/rfc822-headers" || type == "message/global-headers") && report_here &&
      ctx.mail.dsn_original_message_id.empty()) {
    ctx.mail.dsn_original_message_id = message_id_of(parse_header_fields(decoded));
  }

  bool textual = type == "text/plain" || type == "text/html";
  // Like every reader: a text part is body unless it is explicitly an attachment (Python's
  // get_body() rule; "inline; filename=msg.txt" is still the body).
  if (textual && part.disposition != "attachment") {
    bool html = type == "text/html";
    std::string text = decode_text(ctx, decoded, part.charset, html);
    if (const auto* fmt = ct.param("format"); !html && fmt && iequals(trim_view(*fmt), "flowed")) {
      const auto* delsp = ct.param("delsp");
      text = unflow(text, delsp && iequals(trim_view(*delsp), "yes"));
    }
    out.pieces.push_back({std::move(text), html});
    return out;
  }
  Attachment a;
  a.filename = part.filename;
  a.content_type = type;
  a.size = decoded.size();
  if (ctx.options.keep_attachment_content) a.content = std::move(decoded);
  ctx.mail.attachments.push_back(std::move(a));
  return out;
}

}  // namespace

const Header* ParsedMail::header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return &h;
  return nullptr;
}

std::string_view warning_name(WarningCode code) {
  switch (code) {
    case WarningCode::truncated_message: return "truncated_message";
    case WarningCode::too_many_parts: return "too_many_parts";
    case WarningCode::too_deep: return "too_deep";
    case WarningCode::bad_header: return "bad_header";
    case WarningCode::bad_encoded_word: return "bad_encoded_word";
    case WarningCode::bad_transfer_encoding: return "bad_transfer_encoding";
    case WarningCode::unknown_charset: return "unknown_charset";
    case WarningCode::charset_mismatch: return "charset_mismatch";
    case WarningCode::invalid_bytes: return "invalid_bytes";
    case WarningCode::missing_boundary: return "missing_boundary";
    case WarningCode::no_text_body: return "no_text_body";
    case WarningCode::internal_error: return "internal_error";
  }
  return "unknown";
}

ParsedMail parse_mail(std::string_view raw, const ParseOptions& options) {
  ParsedMail m;
  try {
    Context ctx{options, m};
    if (raw.size() > options.max_message_bytes) {
      raw = raw.substr(0, options.max_message_bytes);
      ctx.warn(WarningCode::truncated_message, true, "message larger than the size limit truncated");
    }
    MimeTree tree = parse_mime(raw, prescan_budget(options.max_parts), options.max_depth);
    note_tree(ctx, tree);
    ctx.tree_cut = tree.cut;
    Body body = parse_entity(ctx, tree.root, 0, m.root, false, false, true);
    m.text = join_text(body);
    if (m.text.empty() && !body.nested_text.empty()) m.text = std::move(body.nested_text);
    if (body.empty() && m.text.empty())
      ctx.warn(WarningCode::no_text_body, false, "no text/plain or text/html part");
  } catch (const std::bad_alloc&) {
    m.warnings.push_back({WarningCode::internal_error, true, "out of memory while parsing"});
  } catch (const std::exception& e) {
    // A bug, not a property of the mail: keep what was parsed and say so.
    m.warnings.push_back({WarningCode::internal_error, true, std::string("parser bug: ") + e.what()});
  }
  return m;
}

}  // namespace madoguchi::parsers
