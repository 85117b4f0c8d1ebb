// retry_result.h — what an operator's retry did (`message retry`, `outbox retry`): how many
// rows moved, or why the one row asked for was refused, as a value so that the CLI's exit
// code follows from it.
#pragma once

namespace madoguchi::daemon {

struct RetryResult {
  enum class Code { retried, not_found, not_failed };
  Code code = Code::retried;
  int count = 0;  // rows moved back
};

}  // namespace madoguchi::daemon
