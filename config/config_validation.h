#pragma once
// Checks a decoded AgentConfig the way Kubernetes validates the same data: the node
// name as a DNS subdomain, label keys and taint keys as qualified names, label and
// taint values as label values, taint effects, plus this agent's own ranges.
// Pure; every problem found is returned, each with its field path.
#include "config/agent_config.h"
#include "config/field_path.h"

namespace daemonlet::config {

FieldProblems validateAgentConfig(const AgentConfig& config);

}  // namespace daemonlet::config
