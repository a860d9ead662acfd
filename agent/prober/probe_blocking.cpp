#include "agent/prober/probe_blocking.h"

#include <boost/asio/post.hpp>
#include <utility>

namespace daemonlet::prober {
namespace {

class BlockingAttempt : public ProbeAttempt {
 public:
  // Shared with the pool thread, which may outlive the handle the caller holds.
  struct State {
    std::atomic<bool> cancelled{false};
  };
  explicit BlockingAttempt(std::shared_ptr<State> state) : state_(std::move(state)) {}
  void cancel() override { state_->cancelled = true; }

 private:
  std::shared_ptr<State> state_;
};

}  // namespace

std::shared_ptr<ProbeAttempt> startBlockingAttempt(boost::asio::io_context& io,
                                                   loop::BlockingPool& pool, BlockingProbeJob job,
                                                   ProbeCallback done) {
  auto state = std::make_shared<BlockingAttempt::State>();
  pool.post([&io, state, job = std::move(job), done = std::move(done)]() mutable {
    ProbeOutcome outcome = state->cancelled ? ProbeOutcome{false, "cancelled"} : job(state->cancelled);
    if (state->cancelled) outcome = ProbeOutcome{false, "cancelled"};
    boost::asio::post(
        io, [done = std::move(done), outcome = std::move(outcome)]() mutable { done(std::move(outcome)); });
  });
  return std::make_shared<BlockingAttempt>(std::move(state));
}

}  // namespace daemonlet::prober
