// The one doctest main shared by every test executable. CTest runs one test case per
// process (--test-case=NAME); doctest exits 0 when the filter matches nothing, which would
// turn a test with an awkward name (a ';' splits CTest's arguments) into a test that cannot
// fail. Here a run in which no test case passed the filters is a failure.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

namespace {
bool g_ran_nothing = false;

struct RanSomething : doctest::IReporter {
  explicit RanSomething(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats& stats) override {
    g_ran_nothing = stats.numTestCasesPassingFilters == 0;
  }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};
DOCTEST_REGISTER_LISTENER("ran_something", 1, RanSomething);
}  // namespace

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int rc = context.run();
  if (context.shouldExit()) return rc;
  if (rc == 0 && g_ran_nothing) {
    std::fprintf(stderr, "doctest: no test case matched the filters\n");
    return 1;
  }
  return rc;
}
