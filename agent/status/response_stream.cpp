#include "agent/status/response_stream.h"

namespace daemonlet::status {
namespace {

// One request at a time per worker thread: the slot holds at most that request's offer.
thread_local std::unique_ptr<ResponseStream> offeredStream;

}  // namespace

void offerResponseStream(std::unique_ptr<ResponseStream> stream) { offeredStream = std::move(stream); }

std::unique_ptr<ResponseStream> takeOfferedResponseStream() { return std::move(offeredStream); }

}  // namespace daemonlet::status
