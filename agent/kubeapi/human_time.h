#pragma once
// Ages as kubectl prints them ("5s", "3m20s", "2d4h"): the rounding of
// apimachinery's duration.HumanDuration, so a Table's AGE reads as on a cluster.
#include <chrono>
#include <string>

#include "agent/model/types.h"

namespace daemonlet::kubeapi {

std::string humanDuration(std::chrono::system_clock::duration elapsed);

// The age of an RFC 3339 time field as of `now`; "<unknown>" when absent or unreadable.
std::string ageOf(const model::Json& timestamp, std::chrono::system_clock::time_point now);

}  // namespace daemonlet::kubeapi
