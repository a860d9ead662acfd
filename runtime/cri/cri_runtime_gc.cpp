// CriRuntime's sandbox GC: the rule (sandbox_gc.h) applied every
// options.sandboxGcPeriod. Listing and removing run on the pool; the decision
// reads the runtime's state on the loop, after the list is in, so a start that
// began meanwhile is seen. A failed removal is a warning and is tried again by
// the next round (no retry loop of its own).
#include <boost/asio/post.hpp>

#include "agent/base/log.h"
#include "runtime/cri/cri_client.h"
#include "runtime/cri/cri_containers.h"
#include "runtime/cri/cri_labels.h"
#include "runtime/cri/cri_runtime.h"
#include "runtime/cri/cri_runtime_offloop.h"
#include "runtime/cri/pod_sandbox.h"
#include "runtime/cri/sandbox_gc.h"

namespace daemonlet::runtime::cri {
namespace {

// Our sandboxes and whether each holds a running container of ours.
base::Result<std::vector<SandboxGcEntry>> listSandboxesForGc(const CriClient& client,
                                                             const std::string& agentId) {
  auto sandboxes = listOurSandboxes(client, agentId, {});
  if (!sandboxes) return sandboxes.error();
  auto containers = listOurContainers(client, agentId, {});
  if (!containers) return containers.error();
  std::set<std::string> withRunning;
  for (const auto& container : *containers) {
    if (container.state == CriContainerState::kRunning) withRunning.insert(container.podSandboxId);
  }
  std::vector<SandboxGcEntry> entries;
  for (const auto& sandbox : *sandboxes) {
    SandboxGcEntry entry;
    entry.id = sandbox.id();
    auto uid = sandbox.labels().find(labels::kPodUid);
    if (uid != sandbox.labels().end()) entry.podUid = uid->second;
    entry.attempt = sandbox.metadata().attempt();
    entry.ready = sandbox.state() == ::runtime::v1::SANDBOX_READY;
    entry.createdAt = base::WallTime(
        std::chrono::duration_cast<base::WallTime::duration>(std::chrono::nanoseconds(sandbox.created_at())));
    entry.hasRunningContainer = withRunning.count(sandbox.id()) > 0;
    entries.push_back(std::move(entry));
  }
  return entries;
}

struct SandboxGcOutcome {
  SandboxRemoval removal;
  base::Status result;
};

}  // namespace

void CriRuntime::finishedStarting(const std::string& podUid) {
  auto it = startsInFlight_.find(podUid);
  if (it != startsInFlight_.end() && --it->second <= 0) startsInFlight_.erase(it);
}

void CriRuntime::scheduleSandboxGc() {
  gcTimer_.expires_after(options_.sandboxGcPeriod);
  std::weak_ptr<bool> alive = alive_;
  gcTimer_.async_wait([this, alive](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    collectSandboxes();
  });
}

void CriRuntime::collectSandboxes() {
  offLoop([client = client_, agentId = options_.agentId] { return listSandboxesForGc(*client, agentId); },
          [this](base::Result<std::vector<SandboxGcEntry>> listed) {
            if (!listed) {
              base::logWarning("cannot list the pod sandboxes to collect; trying again at the next GC",
                               {{"error", listed.error().describe()}});
              scheduleSandboxGc();
              return;
            }
            SandboxGcPods pods;
            for (const auto& [uid, slot] : sandboxes_) {
              pods.tracked.insert(uid);
              if (!slot.waiters.empty()) pods.starting.insert(uid);
              if (slot.ready) pods.heldSandboxIds.insert(slot.ready->id);
            }
            for (const auto& [id, tracked] : containers_) pods.tracked.insert(tracked.status.pod.uid);
            for (const auto& [uid, count] : startsInFlight_) pods.starting.insert(uid);
            auto removals = sandboxesToCollect(*listed, pods, clock_.wallNow(), options_.sandboxGcPeriod);
            if (removals.empty()) {
              scheduleSandboxGc();
              return;
            }
            // Only a READY sandbox is one a start would reuse; the NOTREADY
            // ones ensurePodSandbox passes over, so their pods start freely.
            for (const auto& removal : removals) {
              if (removal.ready) gcRemovingPods_.insert(removal.podUid);
            }
            offLoop(
                [client = client_, options = options_, removals] {
                  std::vector<SandboxGcOutcome> outcomes;
                  for (const auto& removal : removals) {
                    // RemovePodSandbox removes the sandbox's containers with it.
                    base::Status result = removeSandbox(*client, removal.sandboxId);
                    if (result && removal.podFilesToo) result = removePodFiles(options, removal.podUid);
                    outcomes.push_back({removal, std::move(result)});
                  }
                  return outcomes;
                },
                [this](std::vector<SandboxGcOutcome> outcomes) {
                  for (const auto& outcome : outcomes) {
                    gcRemovingPods_.erase(outcome.removal.podUid);
                    if (outcome.result) {
                      base::logInfo("removed a pod sandbox no pod needs",
                                    {{"pod", outcome.removal.podUid},
                                     {"sandbox", outcome.removal.sandboxId},
                                     {"podFiles", outcome.removal.podFilesToo ? "removed" : "kept"}});
                    } else {
                      base::logWarning(
                          "cannot remove a pod sandbox no pod needs; trying again at the next GC",
                          {{"pod", outcome.removal.podUid},
                           {"sandbox", outcome.removal.sandboxId},
                           {"error", outcome.result.error().describe()}});
                    }
                  }
                  scheduleSandboxGc();
                });
          });
}

}  // namespace daemonlet::runtime::cri
