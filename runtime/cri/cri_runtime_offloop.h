#pragma once
// CriRuntime::offLoop, shared by the runtime's two source files: blocking work
// on the pool, its result handed back on the io_context.
#include <memory>
#include <utility>

#include <boost/asio/post.hpp>

#include "runtime/cri/cri_runtime.h"

namespace daemonlet::runtime::cri {

template <typename Work, typename Then>
void CriRuntime::offLoop(Work work, Then then) {
  std::weak_ptr<bool> alive = alive_;
  boost::asio::io_context* io = &loop_;
  pool_.post([alive, io, work = std::move(work), then = std::move(then)]() mutable {
    auto result = work();
    boost::asio::post(*io, [alive, then = std::move(then), result = std::move(result)]() mutable {
      if (alive.expired()) return;
      then(std::move(result));
    });
  });
}

}  // namespace daemonlet::runtime::cri
