// staff_notice.cpp — see staff_notice.h.
#include "daemon/service/staff_notice.h"

#include "daemon/store/messages.h"
#include "daemon/store/spool.h"
#include "parsers/reply_text.h"

#include <cstdio>

namespace madoguchi::daemon {
namespace {

// The customer's text as staff read it in a notice: at most this much (the whole mail is in
// `ticket show`).
constexpr std::size_t kNoticeTextBytes = 16 * 1024;

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  return std::string(s);
}

// Cut at a character boundary.
std::string utf8_cut(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s;
}

}  // namespace

std::string status_words(TicketStatus status) {
  switch (status) {
    case TicketStatus::queued: return "受付前（受付時間外に受信）";
    case TicketStatus::open: return "未回答";
    case TicketStatus::investigating: return "調査中";
    case TicketStatus::waiting_customer: return "お客様の回答待ち";
    case TicketStatus::awaiting_purchase: return "ご購入待ち";
    case TicketStatus::closed: return "完了";
  }
  return "不明";
}

std::string outcome_words(std::string_view outcome) {
  if (outcome == "in_scope") return "サポート対象";
  if (outcome == "out_of_scope") return "サポート対象外";
  if (outcome == "redirect") return "別窓口へのご案内";
  if (outcome == "auto_reply_received") return "自動応答メール";
  if (outcome == "bounce") return "配送エラー通知";
  if (outcome == "follow_up") return "既存チケットへの追加のご連絡";
  if (outcome == "set_aside") return "自動処理できなかったメール（要確認）";
  if (outcome == "staff_mail") return "担当者のメール";
  return std::string(outcome);
}

std::string identity_words(std::string_view identity) {
  if (identity == "eligible") return "登録済みの問い合わせ資格者";
  if (identity == "not_registered") return "未登録の差出人";
  if (identity == "not_admin") return "登録済みだが管理者ではない";
  if (identity == "contract_missing") return "契約IDの記載なし";
  if (identity == "contract_expired") return "契約期間外";
  if (identity == "contract_suspended") return "契約停止中";
  if (identity == "unverified_sender") return "差出人を確認できない（送信ドメイン認証なし）";
  if (identity == "staff") return "担当者";
  return std::string(identity);
}

std::string size_words(std::size_t bytes) {
  char buf[32];
  if (bytes < 1024) std::snprintf(buf, sizeof buf, "%zu バイト", bytes);
  else if (bytes < 1024 * 1024) std::snprintf(buf, sizeof buf, "%zu KB", (bytes + 1023) / 1024);
  else std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

NoticeContent customer_mail_content(const parsers::ParsedMail& mail, std::string_view ticket_number, int first_number,
                                    std::size_t attachment_limit) {
  NoticeContent out;
  const std::string whole = trimmed(mail.text);
  // Staff read the notice: answers written between quoted lines keep the quote they answer.
  parsers::ReplyCutOptions options;
  options.keep_inline_quotes = true;
  const parsers::ReplyCut cut = parsers::cut_reply(whole, options);
  std::string text = trimmed(cut.text);
  std::vector<std::string> notes;
  if (text.empty() && !whole.empty()) {
    text = whole;  // nothing but quoted lines or a signature: show them rather than nothing
  } else if (cut.quote_cut && cut.signature_cut) {
    notes.emplace_back("引用された履歴と署名は省略しました。");
  } else if (cut.quote_cut) {
    notes.emplace_back("引用された履歴は省略しました。");
  } else if (cut.signature_cut) {
    notes.emplace_back("署名は省略しました。");
  }
  if (text.size() > kNoticeTextBytes) {
    text = utf8_cut(std::move(text), kNoticeTextBytes);
    notes.emplace_back("長いため途中までを表示しています。");
  }
  if (whole.empty()) notes.emplace_back("本文はありません。");
  std::string note;
  for (const auto& n : notes) note += (note.empty() ? "（" : "") + n;
  if (!note.empty()) note += "全文は madoguchi ticket show " + std::string(ticket_number) + " で確認できます。）";
  out.values["customer_text"] = text;
  out.values["text_note"] = note;

  std::string list;
  std::size_t attached = 0;
  bool any_left = false;
  int number = first_number;
  for (const auto& a : mail.attachments) {
    const std::string name = a.filename.empty() ? std::string("（名前なし）") : a.filename;
    const bool fits = attached + a.content.size() <= attachment_limit &&
                      a.content.size() == a.size;
    std::string line = "  " + std::to_string(number) + ". " + name + "（" +
                       (a.content_type.empty() ? std::string("application/octet-stream") : a.content_type) +
                       "、" + size_words(a.size) + "）";
    if (fits) {
      attached += a.content.size();
      out.attachments.push_back({a.filename.empty() ? "attachment-" + std::to_string(number) : a.filename,
                                 a.content_type, a.content});
      line += " 添付";
    } else {
      any_left = true;
      line += " 未添付（上限 " + size_words(attachment_limit) + " を超えるため）";
    }
    list += (list.empty() ? "" : "\n") + line;
    ++number;
  }
  if (any_left)
    list += "\n  未添付のファイルは madoguchi ticket attachment " + std::string(ticket_number) +
            " 番号 --out ファイル名 で取り出せます。";
  out.values["attachment_list"] = list;
  return out;
}

std::string digest_excerpt(Context& ctx, const TicketRow& ticket, std::size_t max_bytes) {
  const auto messages = messages_of_ticket(ctx.store, ticket.id);
  if (messages.empty()) return {};
  parsers::ParsedMail mail;
  try {
    parsers::ParseOptions options;
    options.keep_attachment_content = false;
    mail = parsers::parse_mail(read_file(ctx.store.spool_path(messages.front().sha256)), options);
  } catch (const std::exception&) {
    return "    （メールを読み出せません。madoguchi ticket show " + ticket.number + " で確認してください）";
  }
  parsers::ReplyCutOptions options;
  options.keep_inline_quotes = true;
  std::string text = trimmed(parsers::cut_reply(trimmed(mail.text), options).text);
  if (text.empty()) text = trimmed(mail.text);
  const bool cut = text.size() > max_bytes;
  text = utf8_cut(std::move(text), max_bytes);
  std::string out;
  std::size_t pos = 0;
  while (pos <= text.size() && !text.empty()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    out += (out.empty() ? "    " : "\n    ") + text.substr(pos, eol - pos);
    pos = eol + 1;
  }
  if (!mail.attachments.empty())
    out += "\n    （添付ファイル " + std::to_string(mail.attachments.size()) + " 件）";
  if (cut) out += "\n    （続きは madoguchi ticket show " + ticket.number + " で確認できます）";
  return out;
}

int attachments_before(Context& ctx, std::int64_t ticket_id) {
  parsers::ParseOptions options;
  options.keep_attachment_content = false;
  int n = 0;
  for (const auto& m : messages_of_ticket(ctx.store, ticket_id)) {
    try {
      n += static_cast<int>(parsers::parse_mail(read_file(ctx.store.spool_path(m.sha256)), options).attachments.size());
    } catch (const std::exception&) {
      // A spool file that cannot be read has no attachments to number (`ticket show` says so).
    }
  }
  return n;
}

}  // namespace madoguchi::daemon
