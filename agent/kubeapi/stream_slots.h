#pragma once
// The cap on open streams (watches and followed logs together): each holds a
// Slot for its lifetime; without a free one the request gets 429 and Retry-After.
// Thread-safe; slots may outlive nothing but the StreamSlots' shared count.
#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>

namespace daemonlet::kubeapi {

class StreamSlots {
 public:
  class Slot {
   public:
    explicit Slot(std::shared_ptr<std::atomic<std::size_t>> open) : open_(std::move(open)) {}
    Slot(Slot&& other) noexcept = default;
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (open_) --*open_;
    }

   private:
    std::shared_ptr<std::atomic<std::size_t>> open_;
  };

  explicit StreamSlots(std::size_t max) : max_(max) {}

  std::optional<Slot> tryAcquire() {
    std::size_t now = open_->load();
    do {
      if (now >= max_) return std::nullopt;
    } while (!open_->compare_exchange_weak(now, now + 1));
    return Slot(open_);
  }
  std::size_t open() const { return open_->load(); }

 private:
  std::size_t max_;
  std::shared_ptr<std::atomic<std::size_t>> open_ = std::make_shared<std::atomic<std::size_t>>(0);
};

}  // namespace daemonlet::kubeapi
