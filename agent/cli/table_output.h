#pragma once
// Output helpers for the query commands: kubectl-style aligned tables, ages, and
// JSON rendered as YAML for `-o yaml`.
#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "agent/model/types.h"

namespace daemonlet::cli {

// Columns separated by three spaces, each as wide as its widest cell.
void printTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

// kubectl's short age: "45s", "12m", "3h", "5d" (and "3m20s"-style under 10 minutes).
std::string humanAge(std::chrono::seconds age);

// Seconds since an RFC 3339 time ("2026-11-27T18:00:00Z"); 0 when unparsable.
std::chrono::seconds ageOf(const std::string& rfc3339);

std::string toYaml(const model::Json& json);

}  // namespace daemonlet::cli
