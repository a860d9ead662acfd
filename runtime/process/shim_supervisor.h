#pragma once
// The shim's life after exec: copy the container's stdout/stderr into the CRI
// log, wait for the container to exit, end what is left of its process group
// (as a pid namespace would when its init dies), and write the exit record.
#include "runtime/process/cri_log_writer.h"
#include "runtime/process/shim_container.h"
#include "runtime/process/shim_protocol.h"

namespace daemonlet::runtime::process {

// Returns once the exit record is written (or could not be: then false).
bool superviseContainer(const ShimSpec& spec, SpawnedContainer& container, CriLogWriter& log);

}  // namespace daemonlet::runtime::process
