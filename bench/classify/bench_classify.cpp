// bench_classify.cpp — what classification costs and where the time goes, against fair
// baselines measured in the same run (STYLE.md: print a ratio to a baseline).
//
// 1. Policy::decide end to end with the shipped desks and with 1,000 generated keyword rules
//    (5,000 keywords), mails of ~1.5 KB Japanese text.
// 2. Baselines for the 1,000 rules, each finding the first rule with a word in the text:
//    - normalise + RE2::Set over the same 5,000 keywords (one pass, a DFA): what a fair
//      hand-written classifier does end to end;
//    - matching alone over the already normalised text: RE2::Set, a per-keyword memmem
//      loop, and the per-keyword std::string::find loop (shown for reference only: every
//      Japanese word starts with the byte 0xE3, so find()'s first-byte scan stops at every
//      character; it is a straw man, not a baseline);
//    - our KeywordAutomaton (Aho-Corasick) alone, the matcher inside decide.
// 3. decide's time split into its parts, per mail, each part timed alone: normalisation for
//    the rules (NFKC + case fold of subject and body, quoted lines dropped), keyword matching,
//    identity's second normalisation of subject + text (for contract ids), the schedule (next
//    opening, first response due), and the rest by difference (the tenant and contract
//    lookups, loop safety, evaluating the rules, building the Decision).
// Every matcher must pick the same rule as decide for every mail before any figure is printed.
#include "rules/calendar.h"
#include "rules/keyword_automaton.h"
#include "rules/policy.h"
#include "rules/text_normalize.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <chrono>
#include <cstring>
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
  struct Normalised {
    std::string subject, body;
  };
  auto normalise = [](const parsers::ParsedMail& m) {
    return Normalised{rules::normalize_text(m.subject), rules::normalize_text(rules::strip_quoted_lines(m.text))};
  };
  std::vector<Normalised> norm_mails;
  for (const auto& m : gen_mails) norm_mails.push_back(normalise(m));

  // The matchers. Each returns the first rule (in file order) with a word in subject or body.
  auto find_loop = [&](const Normalised& n) -> int {
    for (int r = 0; r < rule_count; ++r)
      for (const auto& w : norm_words[r])
        if (n.subject.find(w) != std::string::npos || n.body.find(w) != std::string::npos) return r;
    return -1;
  };
  auto has = [](const std::string& hay, const std::string& needle) {
    return memmem(hay.data(), hay.size(), needle.data(), needle.size()) != nullptr;
  };
  auto memmem_loop = [&](const Normalised& n) -> int {
    for (int r = 0; r < rule_count; ++r)
      for (const auto& w : norm_words[r])
        if (has(n.subject, w) || has(n.body, w)) return r;
    return -1;
  };
  RE2::Options re2_options;
  re2_options.set_log_errors(false);
  re2_options.set_max_mem(256 << 20);  // 5,000 literals need more DFA memory than the 8 MiB default
  RE2::Set set(re2_options, RE2::UNANCHORED);
  std::vector<int> set_rule;  // set index -> rule
  for (int r = 0; r < rule_count; ++r)
    for (const auto& w : norm_words[r]) {
      if (set.Add(RE2::QuoteMeta(w), nullptr) < 0) return 1;
      set_rule.push_back(r);
    }
  if (!set.Compile()) {
    std::cerr << "RE2::Set did not compile\n";
    return 1;
  }
  std::vector<int> set_hits;
  bool set_failed = false;
  auto re2_set = [&](const Normalised& n) -> int {
    int best = -1;
    for (const std::string* text : {&n.subject, &n.body}) {
      set_hits.clear();
      RE2::Set::ErrorInfo info;
      if (!set.Match(*text, &set_hits, &info) && info.kind != RE2::Set::kNoError) set_failed = true;
      for (int i : set_hits)
        if (best < 0 || set_rule[i] < best) best = set_rule[i];
    }
    return best;
  };
  rules::KeywordAutomaton automaton;
  std::vector<int> automaton_rule;  // keyword id -> first rule using it
  for (int r = 0; r < rule_count; ++r)
    for (const auto& w : norm_words[r]) {
      const std::size_t id = automaton.add(w);
      if (id >= automaton_rule.size()) automaton_rule.push_back(r);
    }
  automaton.build();
  std::vector<std::uint8_t> found;
  auto aho = [&](const Normalised& n) -> int {
    int best = -1;
    for (const std::string* text : {&n.subject, &n.body}) {
      automaton.find_all(*text, found);
      for (std::size_t id = 0; id < found.size(); ++id)
        if (found[id] && (best < 0 || automaton_rule[id] < best)) best = automaton_rule[id];
    }
    return best;
  };

  // All must decide alike before any figure is printed. The two per-keyword loops are about
  // 100 and 1,000 times slower than the rest: they are checked and timed on the first
  // `slow_count` mails (the same mix: even mails hold a word, odd ones none).
  const std::size_t slow_count = 200;
  for (std::size_t i = 0; i < gen_mails.size(); ++i) {
    const auto d = generated->decide(gen_mails[i], bench_desk, received);
    const std::string expect = d.rule.value_or("");
    std::vector<std::pair<const char*, int>> answers{{"RE2::Set", re2_set(norm_mails[i])},
                                                     {"automaton", aho(norm_mails[i])}};
    if (i < slow_count) {
      answers.emplace_back("find", find_loop(norm_mails[i]));
      answers.emplace_back("memmem", memmem_loop(norm_mails[i]));
    }
    for (const auto& [name, r] : answers)
      if ((r < 0 ? "" : "GEN_" + std::to_string(r)) != expect) {
        std::cerr << "mismatch on mail " << i << ": decide " << (expect.empty() ? "(none)" : expect) << ", "
                  << name << " " << r << '\n';
        return 1;
      }
  }
  if (set_failed) {
    std::cerr << "RE2::Set ran out of memory (raise max_mem)\n";
    return 1;
  }

  auto rate = [&](auto f, std::size_t n = 0) {
    return mails_per_second(n ? n : mail_count, [&](std::size_t i) {
      volatile int r = f(i);
      (void)r;
    });
  };
  const double gen_rate = rate([&](std::size_t i) { return static_cast<int>(generated->decide(gen_mails[i], bench_desk, received).outcome); });
  const double norm_re2_rate = rate([&](std::size_t i) { return re2_set(normalise(gen_mails[i])); });
  const double re2_rate = rate([&](std::size_t i) { return re2_set(norm_mails[i]); });
  const double memmem_rate = rate([&](std::size_t i) { return memmem_loop(norm_mails[i]); }, slow_count);
  const double find_rate = rate([&](std::size_t i) { return find_loop(norm_mails[i]); }, slow_count);
  const double aho_rate = rate([&](std::size_t i) { return aho(norm_mails[i]); });
  const double norm_rate = rate([&](std::size_t i) { return static_cast<int>(normalise(gen_mails[i]).body.size()); });
  // identify() looks for contract ids in subject + "\n" + text, normalised once more (NFKC,
  // case fold and dashes: normalize_identifier_text) over the whole text, quotes included.
  const double id_norm_rate = rate([&](std::size_t i) {
    return static_cast<int>(rules::normalize_identifier_text(gen_mails[i].subject + "\n" + gen_mails[i].text).size());
  });
  const rules::BusinessCalendar calendar(bench_desk.hours);
  const double schedule_rate = rate([&](std::size_t) {
    const auto open = calendar.next_open(received);
    return static_cast<int>(calendar.add_business_days(open, bench_desk.first_response_business_days).time_since_epoch().count() & 1);
  });
  // The shipped desks: the same split (their keywords live inside the policy; matching and
  // the rest are what decide costs beyond normalisation and the schedule).
  const double shipped_norm_rate = mails_per_second(mail_count, [&](std::size_t i) {
    volatile auto n = normalise(shipped_mails[i]).body.size();
    (void)n;
  });

  auto us = [](double per_second) { return 1e6 / per_second; };
  std::cout.setf(std::ios::fixed);
  std::cout.precision(0);
  std::cout << "mails: " << mail_count << " per set, bodies ~1.5 KB of Japanese text\n";
  std::cout << "decide, shipped desks (" << desks.size() << " desks, " << out_of_scope
            << " not in scope):            " << shipped_rate << " mails/s\n";
  std::cout << "decide, 1000 generated keyword rules (" << rule_count * words_per_rule
            << " words):    " << gen_rate << " mails/s\n";
  std::cout << "baseline: normalise + RE2::Set over the 5000 words:    " << norm_re2_rate << " mails/s\n";
  std::cout << "matching only, over normalised text:\n";
  std::cout << "  RE2::Set (one DFA pass per text)                     " << re2_rate << " mails/s\n";
  std::cout << "  memmem per keyword, first rule wins (" << slow_count << " mails)       " << memmem_rate << " mails/s\n";
  std::cout << "  std::string::find per keyword, straw man (" << slow_count << " mails)  " << find_rate << " mails/s\n";
  std::cout << "  KeywordAutomaton::find_all (inside decide)           " << aho_rate << " mails/s\n";
  std::cout.precision(2);
  std::cout << "time ratios (>1: the first is slower):\n";
  std::cout << "  decide / (normalise + RE2::Set):  " << norm_re2_rate / gen_rate << "x\n";
  std::cout << "  automaton / RE2::Set:             " << re2_rate / aho_rate << "x\n";
  std::cout << "  memmem loop / automaton:          " << aho_rate / memmem_rate << "x\n";
  std::cout << "  find loop / memmem loop:          " << memmem_rate / find_rate << "x\n";
  std::cout.precision(1);
  const double total = us(gen_rate), norm = us(norm_rate), match = us(aho_rate), sched = us(schedule_rate);
  const double id_norm = us(id_norm_rate);
  const double rest = total - norm - match - sched - id_norm;
  auto share = [&](const char* name, double part) {
    std::cout << "  " << name << part << " us (" << 100.0 * part / total << "%)\n";
  };
  std::cout << "where decide's time goes, 1000 rules: " << total << " us per mail\n";
  share("rules' normalisation (NFKC + case fold, quotes dropped)    ", norm);
  share("keyword matching (automaton, subject + body)              ", match);
  share("identity's normalisation of subject + text (contract ids) ", id_norm);
  share("schedule (next_open + first response due)                 ", sched);
  share("the rest (lookups, loop safety, 1000 rules, the Decision) ", rest);
  const double shipped_total = us(shipped_rate), shipped_norm = us(shipped_norm_rate);
  std::cout << "shipped desks: " << shipped_total << " us per mail, of which normalisation " << shipped_norm
            << " us (" << 100.0 * shipped_norm / shipped_total << "%)\n";
  return 0;
}
