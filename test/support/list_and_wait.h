#pragma once
// Runtime::list() waited for: the tests' synchronous listing. Runs the
// io_context (which the caller owns and no other thread runs) until the
// answer is in, and checks the contract that `done` never runs before list()
// returns.
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "agent/base/result.h"
#include "runtime/runtime.h"

namespace daemonlet::testing {

inline base::Result<std::vector<runtime::ContainerStatus>> listAndWait(
    boost::asio::io_context& io, runtime::Runtime& runtime,
    std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  // Shared: an answer later than the timeout lands here, not on a dead frame.
  struct Wait {
    bool returned = false;
    std::optional<base::Result<std::vector<runtime::ContainerStatus>>> answer;
  };
  auto wait = std::make_shared<Wait>();
  runtime.list([wait](base::Result<std::vector<runtime::ContainerStatus>> listed) {
    EXPECT_TRUE(wait->returned) << "list()'s answer came before list() returned";
    wait->answer = std::move(listed);
  });
  wait->returned = true;
  auto guard = boost::asio::make_work_guard(io);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!wait->answer && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_one_for(std::chrono::milliseconds(10));
  }
  if (!wait->answer) return base::makeError(base::ErrorCode::kInternal, "list() did not answer in time");
  return std::move(*wait->answer);
}

}  // namespace daemonlet::testing
