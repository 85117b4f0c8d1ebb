// bench_classify.cpp — classification throughput (mails/s) of Policy::decide with the shipped
// desks and with 1,000 generated keyword rules, against a naive per-rule substring loop over
// the same normalised text, measured in the same run (STYLE.md: print a ratio to a baseline).
//
// The naive loop is what the keyword automaton replaces: for each rule in order, for each of
// its words, text.find(word); first match wins. Both must pick the same rule for every mail,
// which the bench checks before it prints anything.
#include "rules/calendar.h"
#include "rules/policy.h"
#include "rules/text_normalize.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace madoguchi;
using Clock = std::chrono::steady_clock;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const char* const tenants_yaml = R"(
tenants:
  - {id: sakura, company: さくら, domains: [sakura-giken.co.jp], admins: [it-admin@sakura-giken.co.jp],
     contracts: [{id: PL-0001, kind: contract_id, desks: [passlogic-cloud], valid_from: 2025-04-01, valid_until: 2030-03-31}]}
  - {id: minato, company: みなと, domains: [minato-shoji.co.jp], admins: [joho@minato-shoji.co.jp],
     contracts: [{id: LX-2025-0042, kind: maintenance_id, desks: [layerx-saas, votiro], valid_from: 2025-04-01, valid_until: 2030-03-31}]}
  - {id: kita, company: 北電機, domains: [kita-denki.example.jp], admins: [c5-user@kita-denki.example.jp],
     contracts: [{id: C5-1001, kind: licence, desks: [conductor5], valid_from: 2025-01-01, valid_until: 2030-12-31}]}
)";

// ~1.5 KB of ordinary Japanese support prose, varied by the random generator.
std::string filler(std::mt19937& rng) {
  static const std::vector<std::string> sentences{
      "いつもお世話になっております。", "管理画面でユーザーの一覧を表示すると時間がかかります。",
      "ログの取得方法を教えていただけますでしょうか。", "昨日から一部の利用者が認証に失敗しています。",
      "エラーメッセージの画面を添付いたします。", "お手数ですがご確認のほどよろしくお願いいたします。",
      "設定内容は以下のとおりです。", "再現手順：ログイン後にメニューを開き、保存を押します。",
      "ブラウザのキャッシュを削除しても改善しませんでした。", "至急ではございませんが、ご回答をお待ちしております。",
      "The error code is E1234 and it appears every morning.", "よろしくお願いいたします。\n"};
  std::string s;
  while (s.size() < 1500) s += sentences[rng() % sentences.size()];
  return s;
}

parsers::ParsedMail make_mail(const std::string& from, const std::string& to, std::string subject,
                              std::string body) {
  parsers::ParsedMail m;
  m.from.push_back({"", from});
  m.to.push_back({"", to});
  m.subject = std::move(subject);
  m.text = std::move(body);
  m.message_id = "bench@customer.example.jp";
  return m;
}

template <class F>
double mails_per_second(std::size_t n, F f) {
  // Repeat until at least 0.5 s has passed, so short runs are not noise.
  std::size_t done = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    for (std::size_t i = 0; i < n; ++i) f(i);
    done += n;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < 0.5);
  return static_cast<double>(done) / elapsed;
}

std::string random_word(std::mt19937& rng) {
  static const std::vector<std::string> kana{"ア", "カ", "サ", "タ", "ナ", "ハ", "マ", "ヤ", "ラ", "ワ",
                                             "キ", "シ", "チ", "ニ", "ヒ", "ミ", "リ", "ク", "ス", "ツ"};
  std::string w;
  const int len = 3 + static_cast<int>(rng() % 4);
  for (int i = 0; i < len; ++i) w += kana[rng() % kana.size()];
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string source_dir = argc > 1 ? argv[1] : ".";
  const std::size_t mail_count = 2000;
  std::mt19937 rng(20261124);
  const auto received = *rules::parse_iso8601("2026-11-24T11:00:00+09:00");

  // 1. The shipped desks.
  std::vector<std::pair<std::string, std::string>> desks;
  for (const char* id : {"passlogic-cloud", "layerx-saas", "votiro", "conductor5"}) {
    const std::string path = source_dir + "/config/desks/" + id + ".yaml";
    desks.emplace_back(path, read_file(path));
  }
  rules::ConfigErrors errors;
  auto shipped = rules::Policy::from_text(desks, tenants_yaml, errors);
  if (!shipped) {
    for (const auto& e : errors) std::cerr << e.to_string() << '\n';
    return 1;
  }
  const std::vector<std::pair<std::string, std::string>> senders{
      {"it-admin@sakura-giken.co.jp", "passlogic-support@madoguchi.example.jp"},
      {"joho@minato-shoji.co.jp", "layerx-support@madoguchi.example.jp"},
      {"joho@minato-shoji.co.jp", "votiro-support@madoguchi.example.jp"},
      {"c5-user@kita-denki.example.jp", "c5-support@madoguchi.example.jp"}};
  const std::vector<std::string> topics{"オンサイト対応をお願いできますか。", "Outlook の設定方法を教えてください。",
                                        "導入支援をお願いしたいです。", "", "", ""};
  std::vector<parsers::ParsedMail> shipped_mails;
  std::vector<const rules::Desk*> shipped_desk;
  for (std::size_t i = 0; i < mail_count; ++i) {
    const auto& [from, to] = senders[i % senders.size()];
    shipped_mails.push_back(make_mail(from, to, "お問い合わせ",
                                      "保守ID: LX-2025-0042\n" + filler(rng) + topics[rng() % topics.size()]));
    shipped_desk.push_back(shipped->route(shipped_mails.back(), ""));
  }
  std::size_t out_of_scope = 0;
  for (std::size_t i = 0; i < mail_count; ++i)
    out_of_scope += shipped->decide(shipped_mails[i], *shipped_desk[i], received).outcome != rules::Outcome::in_scope;
  const double shipped_rate = mails_per_second(mail_count, [&](std::size_t i) {
    volatile auto o = shipped->decide(shipped_mails[i], *shipped_desk[i], received).outcome;
    (void)o;
  });

  // 2. 1,000 generated keyword rules, 5 words each.
  const int rule_count = 1000, words_per_rule = 5;
  std::vector<std::vector<std::string>> words(rule_count);
  std::string yaml =
      "name: ベンチ窓口\naddresses: [bench@madoguchi.example.jp]\neligibility: tenant_admin\nintake: always\n"
      "hours: {days: [mon, tue, wed, thu, fri], open: \"09:00\", close: \"17:00\", time_zone: Asia/Tokyo}\n"
      "hours_text: 平日 9:00〜17:00\nrules:\n";
  for (int r = 0; r < rule_count; ++r) {
    yaml += "  - {id: GEN_" + std::to_string(r) + ", description: generated, cite: bench, when: {text: {any: [";
    for (int w = 0; w < words_per_rule; ++w) {
      words[r].push_back(random_word(rng) + "設定" + std::to_string(r));
      yaml += (w ? ", " : "") + words[r].back();
    }
    yaml += "]}}, outcome: out_of_scope, reason: generated, reason_ja: 生成}\n";
  }
  auto generated = rules::Policy::from_text(
      {{"bench.yaml", yaml}},
      "tenants:\n  - {id: b, company: B, admins: [it-admin@sakura-giken.co.jp], contracts: [{id: B-1, kind: "
      "contract_id, desks: [bench], valid_from: 2025-01-01, valid_until: 2030-12-31}]}\n",
      errors);
  if (!generated) {
    for (const auto& e : errors) std::cerr << e.to_string() << '\n';
    return 1;
  }
  const rules::Desk& bench_desk = *generated->desk("bench");
  // Half the mails hold one word of a random rule (mostly late in the list), half none.
  std::vector<parsers::ParsedMail> gen_mails;
  for (std::size_t i = 0; i < mail_count; ++i) {
    std::string body = filler(rng);
    if (i % 2 == 0) {
      const int r = static_cast<int>(rng() % rule_count);
      // between two sentences, so both matchers see a whole word
      std::size_t pos = body.find("。", body.size() / 2);
      pos = pos == std::string::npos ? body.size() : pos + std::string("。").size();
      body.insert(pos, words[r][rng() % words_per_rule] + "について。");
    }
    gen_mails.push_back(make_mail("it-admin@sakura-giken.co.jp", "bench@madoguchi.example.jp", "質問", body));
  }
  std::vector<std::vector<std::string>> norm_words(rule_count);
  for (int r = 0; r < rule_count; ++r)
    for (const auto& w : words[r]) norm_words[r].push_back(rules::normalize_text(w));
  auto naive = [&](const parsers::ParsedMail& m) -> int {
    const std::string subject = rules::normalize_text(m.subject);
    const std::string body = rules::normalize_text(rules::strip_quoted_lines(m.text));
    for (int r = 0; r < rule_count; ++r)
      for (const auto& w : norm_words[r])
        if (subject.find(w) != std::string::npos || body.find(w) != std::string::npos) return r;
    return -1;
  };
  // Both must decide alike before any figure is printed.
  for (const auto& m : gen_mails) {
    const auto d = generated->decide(m, bench_desk, received);
    const int n = naive(m);
    const std::string expect = n < 0 ? "" : "GEN_" + std::to_string(n);
    if (d.rule.value_or("") != expect) {
      std::cerr << "mismatch: automaton " << d.rule.value_or("(none)") << " naive " << expect << '\n';
      return 1;
    }
  }
  const double gen_rate = mails_per_second(mail_count, [&](std::size_t i) {
    volatile auto o = generated->decide(gen_mails[i], bench_desk, received).outcome;
    (void)o;
  });
  const double naive_rate = mails_per_second(mail_count, [&](std::size_t i) {
    volatile int r = naive(gen_mails[i]);
    (void)r;
  });

  std::cout.setf(std::ios::fixed);
  std::cout.precision(0);
  std::cout << "mails: " << mail_count << " per set, bodies ~1.5 KB of Japanese text\n";
  std::cout << "shipped desks (" << desks.size() << " desks, Policy::decide, " << out_of_scope
            << " not in scope): " << shipped_rate << " mails/s\n";
  std::cout << "1000 generated keyword rules (" << rule_count * words_per_rule
            << " words), Policy::decide: " << gen_rate << " mails/s\n";
  std::cout << "1000 generated keyword rules, naive per-rule substring loop: " << naive_rate << " mails/s\n";
  std::cout.precision(1);
  std::cout << "ratio decide / naive: " << gen_rate / naive_rate << "x\n";
  return 0;
}
