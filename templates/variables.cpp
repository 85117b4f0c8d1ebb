// variables.cpp — see variables.h.
#include "templates/variables.h"

#include "rules/close_reasons.h"

#include "templates/message.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace madoguchi::templates {

const std::vector<VariableInfo>& known_variables() {
  static const std::vector<VariableInfo> vars{
      // Every mail (the pipeline fills these from the desk and the ticket)
      {"desk_name", "窓口の表示名", "PassLogic クラウド版 サポート窓口"},
      {"desk_address", "窓口のメールアドレス", "support@passlogic.example.jp"},
      {"desk_hours", "サポート対応時間の説明",
       "平日 10:00〜17:00（土・日・祝日・年末年始を除く）。お問い合わせは24時間365日受け付けております。"},
      {"ticket_tag", "件名に入れる受付番号タグ（検査文字付き）", "[#MG-000123-k7]"},
      {"ticket_number", "受付番号", "MG-000123"},
      {"original_subject", "お客様のメールの件名（短縮）", "管理画面にログインできません"},
      {"customer_name", "お客様のお名前（なければメールアドレス）", "山田 太郎"},
      {"company", "会社名・団体名（テナントが分かる場合）", "株式会社サンプル商事"},
      // Acknowledgements and refusals
      {"received_at", "メールの受信日時", "11月21日(土) 22:15"},
      {"accepted_at", "受付日時（受付時間外なら次の受付開始）", "11月24日(火) 10:00"},
      {"due_at", "回答予定日時", "11月25日(水) 10:00"},
      {"contract", "契約ID・保守ID", "LX-2025-0042"},
      {"reason_text", "対象外の理由（規約の項目）", "オンサイト対応（お客さま先へのご訪問・現地での作業）"},
      {"cite", "対象外と判断した根拠（規約の条項）", "サポートサービス規約 第4条"},
      // Staff notifications
      {"requester", "問い合わせ者のメールアドレス（スタッフ宛のみ）", "yamada@sample-shoji.example.co.jp"},
      {"outcome", "判定結果（日本語）", "サポート対象"},
      {"identity", "差出人の確認結果（日本語、スタッフ宛）", "登録済みの問い合わせ資格者"},
      {"rule", "判定したルールID", "PL_IN_SCOPE_DEFAULT"},
      {"flagged", "要確認の印（空なら表示しない）", "要確認"},
      {"status", "チケットの現在の状態（日本語、スタッフ宛）", "未回答"},
      {"reopened", "完了していたチケットが再開されたときの印（空なら表示しない）", ""},
      {"customer_text", "お客様のメールの本文（引用・署名を除く。スタッフ宛）",
       "管理画面にログインしようとすると「認証に失敗しました」と表示されます。\n昨日までは問題なくログインできていました。"},
      {"text_note", "本文を省略・短縮したときの注記（スタッフ宛）",
       "（引用された履歴・署名は省略しました。全文は madoguchi ticket show MG-000123 で確認できます。）"},
      {"attachment_list", "添付ファイルの一覧（整形済み。スタッフ宛）", "  1. エラー画面.png（image/png、48 KB） 添付"},
      {"opened_at", "受付開始日時（ダイジェスト）", "11月24日(火) 10:00"},
      {"ticket_count", "受付開始時に受け付けた件数（ダイジェスト）", "2"},
      {"ticket_list", "受け付けたチケットの一覧（整形済みテキスト。tickets がない場合）", ""},
      {"tickets", "受け付けたチケットの一覧（リスト。各行は ticket_number, original_subject, requester, received_at, accepted_at, due_at, flagged, customer_text）", ""},
      {"command_errors", "実行できなかったコマンドの理由（スタッフ宛）", "#close needs one of: resolved, answered_howto, …"},
      {"accepted_commands", "使えるコマンドの一覧（整形済み。スタッフ宛）", "  #close 理由\n  #status 状態\n  #reopen\n  #note\n"},
      // Staff reply and closing
      {"reply_body", "スタッフの回答本文", ""},
      {"staff_name", "回答したスタッフの名前（任意）", "佐藤"},
      {"close_reason", "完了理由のID", "answered_howto"},
      {"close_reason_text", "完了理由の日本語", "設定・操作方法のご回答"},
      {"closed_at", "完了日時", "11月27日(金) 15:30"},
      {"close_at", "自動完了の予定日時", "12月4日(金) 17:00"},
      // Incidents (conductor5)
      {"incidents_consumed", "今回消費したインシデント数", "1"},
      {"incidents_left", "残りのインシデント数", "2"},
      {"licence_until", "ライセンスの有効期限", "2026年3月31日"},
      // Remote support (remote seed)
      {"remote_reason", "リモートサポートが必要な理由", "ログの確認と設定内容の確認のため"},
      {"remote_proposed_at", "リモートサポートの実施候補日時", "11月26日(木) 14:00"},
      // Announcements
      {"announcement_title", "お知らせの題名", "PassLogic クラウド版 バージョンアップのお知らせ"},
      {"announcement_body", "お知らせの本文（運用者が記述）", ""},
  };
  return vars;
}

bool is_known_variable(std::string_view name) {
  const auto& v = known_variables();
  return std::any_of(v.begin(), v.end(), [&](const VariableInfo& i) { return i.name == name; });
}

const std::vector<std::string>& closing_reasons() {
  static const std::vector<std::string> reasons = [] {
    std::vector<std::string> out;
    for (const auto& r : rules::close_reasons()) out.emplace_back(r.name);
    return out;
  }();
  return reasons;
}

const std::vector<std::string>& template_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n{
        "ack_received", "ack_queued",
        "identity_not_registered", "identity_not_admin", "identity_contract_missing",
        "identity_contract_expired", "identity_contract_suspended", "identity_unverified_sender",
        "out_of_scope", "out_of_scope_third_party", "out_of_scope_work_on_behalf",
        "out_of_scope_environment", "out_of_scope_custom",
        "redirect_sales",
        "staff_reply", "closed", "auto_close_warning", "auto_closed",
        "staff_new_ticket", "staff_follow_up", "staff_digest", "staff_command_rejected",
        "incident_consumed", "purchase_notice", "remote_consent_request", "announcement"};
    for (const auto& r : closing_reasons()) n.push_back("closed_" + r);
    return n;
  }();
  return names;
}

Values sample_values() {
  Values v;
  for (const auto& i : known_variables())
    if (!i.sample.empty()) v[std::string(i.name)] = std::string(i.sample);
  v["reply_body"] =
      "お問い合わせの件につきまして、ご回答いたします。\n"
      "\n"
      "管理画面の［ユーザー］→［一括登録］から、CSVファイルで登録いただけます。\n"
      "手順はマニュアルの「4.2 ユーザーの一括登録」をご参照ください。";
  v["announcement_body"] =
      "2026年12月5日(土) 1:00〜5:00 に、PassLogic クラウド版のバージョンアップを実施いたします。\n"
      "作業中はサービスをご利用いただけません。";
  v.lists["tickets"] = {
      {{"ticket_number", "MG-000123"}, {"original_subject", "管理画面にログインできません"},
       {"requester", "yamada@sample-shoji.example.co.jp"}, {"received_at", "11月21日(土) 22:15"},
       {"accepted_at", "11月24日(火) 10:00"}, {"due_at", "11月25日(水) 10:00"}, {"flagged", ""},
       {"customer_text", "    管理画面にログインしようとすると「認証に失敗しました」と表示されます。\n    （添付ファイル 1 件）"}},
      {{"ticket_number", "MG-000124"}, {"original_subject", "他社VPN製品との連携について"},
       {"requester", "suzuki@example.co.jp"}, {"received_at", "11月23日(月) 09:40"},
       {"accepted_at", "11月24日(火) 10:00"}, {"due_at", "11月25日(水) 10:00"},
       {"flagged", "要確認"}, {"customer_text", "    他社製 VPN 装置と連携できるか教えてください。"}},
  };
  return v;
}

namespace {
// 1-based line of the first occurrence of `{{…name…}}` in `text`, 0 when not found.
int line_of(std::string_view text, std::string_view name) {
  std::size_t pos = 0;
  while ((pos = text.find(name, pos)) != std::string_view::npos) {
    const auto open = text.rfind("{{", pos);
    const auto close = text.rfind("}}", pos);
    if (open != std::string_view::npos && (close == std::string_view::npos || close < open))
      return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
    pos += name.size();
  }
  return 0;
}
}  // namespace

rules::ConfigErrors check_templates(const std::filesystem::path& dir,
                                    const std::vector<std::string>& also_required) {
  rules::ConfigErrors errors;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    errors.push_back({dir.string(), 0, 0, "templates directory does not exist"});
    return errors;
  }
  std::set<std::string> present;
  const Values samples = sample_values();
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".mustache") continue;
    const std::string file = entry.path().string();
    present.insert(entry.path().stem().string());
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    MailTemplateText parts;
    std::string error;
    if (!split_mail_template(text, parts, error)) {
      errors.push_back({file, 1, 1, error});
      continue;
    }
    for (const auto& name : template_variables(text))
      if (!is_known_variable(name))
        errors.push_back({file, line_of(text, name), 0, "unknown template variable '" + name + "'"});
    bool rendered = true;
    for (const auto* part : {&parts.subject, &parts.body}) {
      const RenderResult r = render(*part, samples);
      if (!r.ok) {
        const auto [line, column] = locate_syntax_error(text, *part, r.error);
        errors.push_back({file, line, column, "template syntax: " + r.error});
        rendered = false;
      }
    }
    if (rendered) {
      const RenderResult s = render(parts.subject, samples);
      if (s.text.find_first_of("\r\n") != std::string::npos)
        errors.push_back({file, 1, 1, "the subject renders to more than one line"});
      if (s.text.find("{{") != std::string::npos || s.text.empty())
        errors.push_back({file, 1, 1, "the subject renders empty or with a tag left"});
    }
  }
  if (ec) errors.push_back({dir.string(), 0, 0, "cannot list templates: " + ec.message()});
  std::vector<std::string> required = template_names();
  required.insert(required.end(), also_required.begin(), also_required.end());
  for (const auto& name : required)
    if (!present.count(name))
      errors.push_back({(dir / (name + ".mustache")).string(), 0, 0, "template '" + name + "' is missing"});
  return errors;
}

}  // namespace madoguchi::templates
