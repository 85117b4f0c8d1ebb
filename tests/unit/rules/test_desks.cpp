// The four shipped desks (config/desks) against realistic Japanese mail: every out-of-scope
// item of each seed has at least one mail that hits its rule (checked against the desk's own
// rule list, so a new rule without a test fails here), and near-misses stay in scope.
#include <doctest/doctest.h>

#include "rules_fixture.h"

#include <set>

using namespace madoguchi::rules;
using rules_test::at;
using rules_test::mail;
using rules_test::MailSpec;

namespace {

struct Case {
  const char* name;
  MailSpec mail;
  const char* rule;        // expected deciding rule; nullptr: none (in scope)
  Outcome outcome = Outcome::out_of_scope;
};

// Tuesday 2026-11-24 11:00 JST: every shipped desk is open.
constexpr const char* open_time = "2026-11-24T11:00:00+09:00";

Decision run(const Policy& p, const char* desk, const MailSpec& m, const char* when = open_time) {
  const Desk* d = p.desk(desk);
  REQUIRE(d);
  return p.decide(mail(m), *d, at(when));
}

// Runs the table and checks that every out_of_scope/redirect rule of the desk was exercised.
void check_table(const char* desk, const std::vector<Case>& cases) {
  auto p = rules_test::shipped_policy();
  std::set<std::string> hit;
  for (const auto& c : cases) {
    const std::string name = c.name;
    CAPTURE(name);
    const Decision d = run(*p, desk, c.mail);
    if (c.rule == nullptr) {
      CHECK(d.outcome == Outcome::in_scope);
      CHECK_MESSAGE(!d.rule.has_value(), "decided by " << d.rule.value_or(""));
      CHECK(d.template_name == "ack_received");
      continue;
    }
    CHECK(d.rule.value_or("(none)") == std::string(c.rule));
    CHECK(d.outcome == c.outcome);
    if (d.outcome == Outcome::out_of_scope) {
      CHECK(d.reason.has_value());
      CHECK_FALSE(d.reason_text.value_or("").empty());
      CHECK_FALSE(d.cite.value_or("").empty());
      CHECK_FALSE(d.matched.empty());
      REQUIRE(d.refusal_template.has_value());
      if (d.action == Action::reply)
        CHECK(d.template_name == *d.refusal_template);
      else
        CHECK(d.template_name == "ack_received");  // flagged: the customer gets the acknowledgement
      CHECK((d.refusal_template->starts_with("out_of_scope") || d.refusal_template->starts_with("identity_")));
    }
    hit.insert(c.rule);
  }
  for (const auto& r : p->desk(desk)->rules)
    if (r.outcome == Outcome::out_of_scope || r.outcome == Outcome::redirect ||
        r.outcome == Outcome::auto_reply_received)
      CHECK_MESSAGE(hit.count(r.id), "rule " << r.id << " of " << desk << " has no test mail");
}

MailSpec pl(const char* subject, const char* body, const char* from = "it-admin@sakura-giken.co.jp") {
  return {.from = from, .to = "passlogic-support@madoguchi.example.jp", .subject = subject, .body = body};
}
MailSpec lx(const char* subject, const char* body, const char* from = "joho@minato-shoji.co.jp") {
  return {.from = from, .to = "layerx-support@madoguchi.example.jp", .subject = subject, .body = body};
}
MailSpec vt(const char* subject, const char* body, const char* from = "joho@minato-shoji.co.jp") {
  return {.from = from, .to = "votiro-support@madoguchi.example.jp", .subject = subject, .body = body};
}
MailSpec c5(const char* subject, const char* body, const char* from = "c5-user@kita-denki.example.jp") {
  return {.from = from, .to = "c5-support@madoguchi.example.jp", .subject = subject, .body = body};
}

}  // namespace

TEST_CASE("desk passlogic-cloud: the 15 out-of-scope items and near-misses") {
  check_table("passlogic-cloud", {
    {"1 other vendor install", pl("Chromeの再インストールについて", "社内PCの Google Chrome が起動しなくなりました。再インストールの手順を教えていただけますか。"), "PL_OUT_01_OTHER_SOFTWARE_INSTALL"},
    {"2-3 other vendor product", pl("Salesforceの権限について", "Salesforce のプロファイル権限の設定方法を教えてください。"), "PL_OUT_02_03_OTHER_PRODUCTS"},
    {"4 unsupported environment", pl("画面が崩れる", "Windows 7 のPCからユーザーポータルにアクセスすると画面が崩れて表示されます。"), "PL_OUT_04_UNSUPPORTED_ENVIRONMENT"},
    {"5 settings on behalf", pl("ユーザー登録のお願い", "新入社員200名分のユーザー登録作業をお願いできますでしょうか。CSVを添付いたします。"), "PL_OUT_05_SETTINGS_ON_BEHALF"},
    {"6 integration check", pl("勤怠システムとの連携", "弊社で利用している勤怠システムと PassLogic との連携検証をお願いしたく存じます。"), "PL_OUT_06_INTEGRATION_CHECK"},
    {"7 app behind SSO", pl("SAML連携後の表示", "SAML 連携で Box にログインした後、Box のフォルダ一覧が表示されません。"), "PL_OUT_07_APP_BEHIND_SSO"},
    {"8 client certificate", pl("証明書について", "クライアント証明書を Mac にインストールする手順を教えてください。"), "PL_OUT_08_CLIENT_CERTIFICATE"},
    {"9 custom feature", pl("ログイン画面の変更", "弊社の要件に合わせて、ログイン画面に独自のお知らせ欄を追加するカスタマイズは可能でしょうか。"), "PL_OUT_09_CUSTOM_FEATURE"},
    {"10 onsite", pl("説明会のお願い", "導入時に弊社にお越しいただき、操作説明をしていただくことは可能でしょうか。"), "PL_OUT_10_ONSITE"},
    {"11 outside hours", pl("メンテナンス時の対応", "来週土曜日のシステムメンテナンスに合わせて、休日対応をお願いできますか。"), "PL_OUT_11_OUTSIDE_HOURS"},
    {"12 manual excluded", pl("APIについて", "マニュアルにサポート対象外と記載されている API の直接呼び出しについて質問です。"), "PL_OUT_12_MANUAL_EXCLUDED"},
    {"13 not registered", pl("ログインできません", "パスワードを忘れてしまいました。", "tanaka@gmail.example.com"), "PL_OUT_13_NOT_REGISTERED"},
    {"14 not admin", pl("ログインできません", "一般利用者ですが、ログインできなくなりました。", "yamada@sakura-giken.co.jp"), "PL_OUT_14_NOT_ADMIN"},
    {"15 terms of service", pl("負荷試験の実施", "本番テナントに対して負荷試験を実施したいのですが問題ないでしょうか。"), "PL_OUT_15_TERMS_OF_SERVICE"},
    {"auto-reply subject", pl("自動応答: Re: [#MG-000123] お問い合わせを受け付けました", "不在にしております。"), "PL_AUTO_REPLY_SUBJECT", Outcome::auto_reply_received},
    // near-misses: about PassLogic itself, whatever else they mention
    {"Outlook + own screens", pl("ユーザー追加", "Outlook を使っていますが、PassLogic の管理画面でユーザーを追加する方法を教えてください。"), nullptr},
    {"own app install", pl("PassClip L", "PassClip L を iPhone にインストールしたところ、ワンタイムパスワードが表示されません。"), nullptr},
    {"SAML on own screen", pl("SAML設定", "管理画面で SAML の設定を行ったところ、認証画面でエラーになります。"), nullptr},
    {"how to bulk register", pl("一括登録", "ユーザーの一括登録の方法を教えてください。"), nullptr},
    {"declines on-site work", pl("設定手順", "オンサイト対応は不要です。管理画面での設定手順だけ教えてください。"), nullptr},
    {"night mention", pl("ログイン不可", "夜間にログインできないユーザーがいます。ログを確認する方法はありますか。"), nullptr},
    {"subject about auto-reply", pl("自動返信メールが届きません", "パスワード再発行の自動返信メールが届きません。"), nullptr},
    {"Windows Update broke own product", pl("ログインできない", "Windows Update を適用したら PassLogic for Windows Desktop でログインできなくなりました。"), nullptr},
  });
}

TEST_CASE("desk layerx-saas: 除外事項, contract id, pre-sales and near-misses") {
  check_table("layerx-saas", {
    {"environment / other product", lx("通信が遅い", "保守ID: LX-2025-0042\n社内のプロキシサーバーの設定方法を教えてください。通信が遅い問題を解決したいです。"), "LX_OUT_ENVIRONMENT_OTHER_PRODUCTS"},
    {"operate customer's system", lx("設定作業のお願い", "保守ID: LX-2025-0042\n当社環境へのポリシー設定作業をお願いできますか。リモートで設定していただけると助かります。"), "LX_OUT_SYSTEM_OPERATION"},
    {"consulting", lx("全社展開", "保守ID: LX-2025-0042\n全社展開に向けた導入支援と構成案のご提案をお願いしたいです。"), "LX_OUT_CONSULTING"},
    {"isolation", lx("通信遮断", "保守ID: LX-2025-0042\nLayerX と Zscaler のどちらが原因で通信が遮断されているのか、切り分けをお願いします。"), "LX_OUT_ISOLATION_WITH_OTHER_PRODUCTS"},
    {"keep settings", lx("設定のお預け", "保守ID: LX-2025-0042\n現在のポリシーの設定情報を保管していただくことは可能でしょうか。"), "LX_OUT_KEEP_SETTINGS"},
    {"modified", lx("拡張機能", "保守ID: LX-2025-0042\n拡張機能のコードを改変して利用しているのですが、動作が不安定です。"), "LX_OUT_MODIFIED_OR_MISUSED"},
    {"pre-sales from a prospect", lx("お見積りのお願い", "LayerX Security の導入を検討しています。100ユーザー分のお見積りをお願いします。", "buyer@prospect.example.jp"), "LX_REDIRECT_SALES", Outcome::redirect},
    {"no contract id", lx("ダッシュボード", "ダッシュボードの件数が表示されません。"), "LX_ID_CONTRACT_REQUIRED"},
    {"auto-reply subject", lx("Out of Office: 保守IDについて", "I am out of the office."), "LX_AUTO_REPLY_SUBJECT", Outcome::auto_reply_received},
    {"own console question", lx("ダッシュボード", "保守ID：ＬＸ－２０２５－００４２\nLayerX の管理コンソールで、ダッシュボードの検知件数が前日分しか表示されません。"), nullptr},
    {"Chrome but about the product", lx("ポリシー", "保守ID: LX-2025-0042\nChrome の拡張機能として LayerX を導入していますが、ポリシーが反映されません。"), nullptr},
    {"CSV export", lx("CSV", "契約ID LX-2025-0042\nCSV エクスポートの文字コードを Shift_JIS に変更できますか。"), nullptr},
  });
}

TEST_CASE("desk votiro: 除外事項, versions, patches and near-misses") {
  check_table("votiro", {
    {"environment / other product", vt("メール遅延", "契約ID: VT-2025-0007\nExchange 側でメールが遅延する問題を解決したいです。"), "VT_OUT_ENVIRONMENT_OTHER_PRODUCTS"},
    {"operate customer's system", vt("設定作業", "契約ID: VT-2025-0007\nサーバーの設定作業をお願いできますか。"), "VT_OUT_SYSTEM_OPERATION"},
    {"consulting", vt("構成のご相談", "契約ID: VT-2025-0007\n冗長構成の設計支援をお願いしたいと考えております。"), "VT_OUT_CONSULTING"},
    {"isolation", vt("メールが届かない", "契約ID: VT-2025-0007\nVotiro と FortiGate の相性の問題か、切り分けをお願いします。"), "VT_OUT_ISOLATION_WITH_OTHER_PRODUCTS"},
    {"keep settings", vt("設定の保管", "契約ID: VT-2025-0007\n設定情報を保管していただけないでしょうか。"), "VT_OUT_KEEP_SETTINGS"},
    {"version not ours", vt("英語版", "契約ID: VT-2025-0007\n開発元から直接ダウンロードした英語版をインストールしました。"), "VT_OUT_VERSION_NOT_RELEASED_BY_US"},
    {"patch install work", vt("パッチ適用", "契約ID：ＶＴ－２０２５－０００７\n先日公開されたパッチを適用していただけますか。"), "VT_OUT_PATCH_INSTALL_WORK"},
    {"modified", vt("改造", "契約ID: VT-2025-0007\n製品を改造して利用したいのですが。"), "VT_OUT_MODIFIED_OR_MISUSED"},
    {"renewal to sales", vt("契約更新", "契約ID: VT-2025-0007\n来年度の契約更新の手続きについて教えてください。"), "VT_REDIRECT_SALES", Outcome::redirect},
    {"no contract id", vt("エラー", "無害化処理でエラーが出ます。"), "VT_ID_CONTRACT_REQUIRED"},
    {"auto-reply subject", vt("自動返信：契約について", "ただいま不在です。"), "VT_AUTO_REPLY_SUBJECT", Outcome::auto_reply_received},
    {"how to apply the patch ourselves", vt("パッチ", "契約ID: VT-2025-0007\n最新パッチの適用手順を教えてください。"), nullptr},
    {"product error", vt("無害化エラー", "契約ID: VT-2025-0007\nVotiro Disarmer で PDF の無害化に失敗します。ログを添付します。"), nullptr},
  });
}

TEST_CASE("desk conductor5: 第4条/第5条 and near-misses") {
  check_table("conductor5", {
    {"onsite", c5("障害対応", "Conductor5 の障害対応のため、弊社に来ていただけますでしょうか。"), "C5_OUT_ONSITE"},
    {"sample code", c5("サンプルについて", "付属のサンプルコードをビルドするとエラーになります。"), "C5_OUT_SAMPLE_CODE"},
    {"third-party product", c5("組み込み", "弊社で開発したアプリに Conductor5 のライブラリを組み込んだところ、起動しません。"), "C5_OUT_THIRD_PARTY_PRODUCT"},
    {"not Japanese market", c5("海外版", "海外版の Conductor5 を利用しています。"), "C5_OUT_NOT_JAPANESE_MARKET"},
    {"incident purchase", c5("追加購入", "追加インシデントの購入方法を教えてください。"), "C5_REDIRECT_PURCHASE", Outcome::redirect},
    {"not registered", c5("質問", "ジョブの設定について。", "someone@another.example.jp"), "C5_ID_NOT_REGISTERED"},
    {"not the support user", c5("質問", "ジョブの設定について。", "boss@kita-denki.example.jp"), "C5_ID_NOT_SUPPORT_USER"},
    {"auto-reply subject", c5("Automatic reply: ジョブ", "Away."), "C5_AUTO_REPLY_SUBJECT", Outcome::auto_reply_received},
    {"product question", c5("ジョブ失敗", "ライセンス番号 C5-1001\nConductor5 の管理画面でジョブが失敗します。"), nullptr},
    {"declines a visit", c5("ジョブ失敗", "ご訪問いただく必要はありません。ジョブが失敗する原因を教えてください。"), nullptr},
    {"sample program (第5条 exception)", c5("サンプル", "付属のサンプルプログラムの実行方法を教えてください。"), nullptr},
  });
}

TEST_CASE("desk schedules: intake always vs business_hours, queued acknowledgements") {
  auto p = rules_test::shipped_policy();
  // Saturday 2026-11-21 22:15 JST; Monday 11-23 is 勤労感謝の日.
  const char* saturday = "2026-11-21T22:15:00+09:00";
  auto pl_d = run(*p, "passlogic-cloud", pl("質問", "管理画面について教えてください。"), saturday);
  CHECK(pl_d.outcome == Outcome::in_scope);
  CHECK_FALSE(pl_d.queued);
  CHECK(pl_d.accepted_at == at(saturday));
  CHECK(pl_d.next_open == at("2026-11-24T10:00:00+09:00"));
  CHECK(pl_d.first_response_due == at("2026-11-25T10:00:00+09:00"));
  CHECK(pl_d.template_name == "ack_received");

  auto lx_d = run(*p, "layerx-saas", lx("質問", "保守ID: LX-2025-0042\n管理コンソールについて。"), saturday);
  CHECK(lx_d.queued);
  CHECK(lx_d.accepted_at == at("2026-11-24T09:00:00+09:00"));
  CHECK(lx_d.first_response_due == at("2026-11-25T09:00:00+09:00"));
  CHECK(lx_d.template_name == "ack_queued");
  // a flagged mail received while closed gets the queued acknowledgement too
  auto flagged = run(*p, "layerx-saas", lx("導入支援", "保守ID: LX-2025-0042\n導入支援をお願いします。"), saturday);
  CHECK(flagged.action == Action::flag);
  CHECK(flagged.template_name == "ack_queued");
  // year end: 12-29..01-03 closed
  auto ye = run(*p, "layerx-saas", lx("質問", "保守ID: LX-2025-0042\n質問です。"), "2026-12-30T10:00:00+09:00");
  CHECK(ye.accepted_at == at("2027-01-04T09:00:00+09:00"));
}

TEST_CASE("desk routing by recipient, and a non-Japanese mail gets the language note") {
  auto p = rules_test::shipped_policy();
  auto m = mail(c5("Question", "Hello, the job fails. Licence C5-1001."));
  const Desk* d = p->route(m, "passlogic-cloud");
  REQUIRE(d);
  CHECK(d->id == "conductor5");
  m.to.clear();
  m.cc.push_back({"", "LayerX-Support@Madoguchi.Example.JP"});
  CHECK(p->route(m, "")->id == "layerx-saas");
  m.cc.clear();
  CHECK(p->route(m, "votiro")->id == "votiro");
  CHECK(p->route(m, "") == nullptr);
  auto en = run(*p, "conductor5", c5("Question", "Hello, the job fails."));
  CHECK(en.language_note);
  CHECK_FALSE(run(*p, "conductor5", c5("質問", "ジョブが失敗します。")).language_note);
}

TEST_CASE("shipped desks: every rule cites its seed, every desk matches its seed's terms") {
  auto p = rules_test::shipped_policy();
  const std::map<std::string, std::string> seed{{"passlogic-cloud", "passlogic"}, {"layerx-saas", "layerx"},
                                                {"votiro", "votiro"}, {"conductor5", "conductor5"}};
  for (const auto& d : p->desks()) {
    CAPTURE(d.id);
    for (const auto& r : d.rules) {
      CAPTURE(r.id);
      CHECK_FALSE(r.description.empty());
      if (r.outcome == Outcome::out_of_scope || r.outcome == Outcome::redirect)
        CHECK(r.cite.find(seed.at(d.id)) != std::string::npos);
    }
  }
  const Desk& plc = *p->desk("passlogic-cloud");
  CHECK(plc.eligibility == Eligibility::tenant_admin);
  CHECK(plc.intake == Intake::always);
  CHECK(plc.hours.open_minute == 10 * 60);
  CHECK(plc.hours.close_minute == 17 * 60);
  CHECK(p->desk("layerx-saas")->eligibility == Eligibility::contract_id);
  CHECK(p->desk("layerx-saas")->intake == Intake::business_hours);
  CHECK(p->desk("votiro")->eligibility == Eligibility::contract_id);
  CHECK(p->desk("conductor5")->eligibility == Eligibility::registered_user);
  CHECK(p->desk("conductor5")->incidents);
  CHECK(p->desk("conductor5")->reopen_window == std::chrono::hours(24 * 30));
}
