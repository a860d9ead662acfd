// CriRuntime's listing (adoption and the reconciler's relist). The CRI calls
// (ListContainers, a ContainerStatus per container not known as it is, the
// sandbox IPs of pods not known yet) run on the pool; the merge with what the
// runtime tracks runs on the loop with containers_ as it is when the answer is
// back, not as it was when list() was called: meanwhile a start may have
// finished, an exit event may have been reported, a pod may have been removed.
#include <map>
#include <set>

#include <boost/asio/post.hpp>

#include "runtime/cri/cri_client.h"
#include "runtime/cri/cri_containers.h"
#include "runtime/cri/cri_runtime.h"
#include "runtime/cri/cri_runtime_offloop.h"
#include "runtime/cri/pod_sandbox.h"
#include "runtime/cri/task_exit_event.h"
#include "runtime/container_reasons.h"

namespace daemonlet::runtime::cri {

struct CriRuntime::Listing {
  std::vector<CriContainerView> views;
  // Pods listed whose IP was not known at the request: the READY sandbox's IP.
  std::map<std::string, std::string> sandboxIPs;
};

namespace {

// What the loop knew when list() was called, for the calls made off it: a
// container tracked running and listed running needs no ContainerStatus, nor
// one tracked exited (its exit is held in full); a pod with an IP or a sandbox
// of its own needs no sandbox lookup.
struct CriListingRequest {
  std::map<std::string, bool> trackedRunning;  // by CRI id: running (true) or exited
  std::set<std::string> podsWithIP;
};

base::Result<std::vector<CriContainerView>> listContainersInFull(const CriClient& client, const std::string& agentId,
                                                                  const CriListingRequest& request) {
  auto listed = listOurContainers(client, agentId, {});
  if (!listed) return listed.error();
  for (auto& view : *listed) {
    if (view.state == CriContainerState::kCreated) continue;
    auto tracked = request.trackedRunning.find(view.id);
    if (tracked != request.trackedRunning.end() && (!tracked->second || view.state == CriContainerState::kRunning)) {
      continue;
    }
    // Exit codes, start times and log paths are only in ContainerStatus: asked
    // for each exit and, once, for each container found running. A failed
    // call leaves what ListContainers said.
    auto full = containerStatus(client, view.id);
    if (full) view = std::move(*full);
  }
  return listed;
}

std::map<std::string, std::string> sandboxIPsOf(const CriClient& client, const std::string& agentId,
                                                const std::set<std::string>& podUids) {
  std::map<std::string, std::string> ips;
  for (const auto& uid : podUids) {
    auto sandboxes = listOurSandboxes(client, agentId, uid);
    if (!sandboxes) continue;
    for (const auto& sandbox : *sandboxes) {
      if (sandbox.state() != ::runtime::v1::SANDBOX_READY) continue;
      auto found = sandboxIPs(client, sandbox.id());
      if (found && !found->empty()) ips[uid] = found->front();
    }
  }
  return ips;
}

}  // namespace

void CriRuntime::list(ListCallback done) {
  auto request = std::make_shared<CriListingRequest>();
  for (const auto& [id, tracked] : containers_) {
    request->trackedRunning[id] = tracked.status.state != ContainerState::kExited;
  }
  for (const auto& [uid, ip] : podIPs_) {
    if (!ip.empty()) request->podsWithIP.insert(uid);
  }
  for (const auto& [uid, slot] : sandboxes_) request->podsWithIP.insert(uid);
  offLoop(
      [client = client_, agentId = options_.agentId, request]() -> base::Result<Listing> {
        auto views = listContainersInFull(*client, agentId, *request);
        if (!views) return views.error();
        std::set<std::string> podsWithoutIP;
        for (const auto& view : *views) {
          const std::string uid = podRefFromLabels(view.labels).uid;
          if (view.state != CriContainerState::kCreated && !uid.empty() && !request->podsWithIP.count(uid)) {
            podsWithoutIP.insert(uid);
          }
        }
        return Listing{std::move(*views), sandboxIPsOf(*client, agentId, podsWithoutIP)};
      },
      [this, request, done = std::move(done)](base::Result<Listing> listing) {
        if (!listing) return done(listing.error());
        done(mergeListing(std::move(*listing), request->trackedRunning));
      });
}

std::vector<ContainerStatus> CriRuntime::mergeListing(Listing listing,
                                                      const std::map<std::string, bool>& trackedAtRequest) {
  std::vector<CriContainerView> views;
  std::vector<ContainerStatus> knownExits;  // exits this runtime already holds in full
  for (auto& view : listing.views) {
    auto tracked = containers_.find(view.id);
    if (tracked != containers_.end()) {
      // An exit already reported (by an event, maybe one that came while the
      // calls ran) is listed as reported, never as a second exit.
      if (tracked->second.status.state == ContainerState::kExited) {
        knownExits.push_back(tracked->second.status);
        continue;
      }
    } else if (view.state != CriContainerState::kCreated) {
      // Tracked at the request and forgotten since (removePod): not adopted again.
      if (trackedAtRequest.count(view.id)) continue;
      // Possibly the container of a start still in flight: that start's answer
      // tracks it; adopting it here would take it for one an earlier agent left.
      if (startsInFlight_.count(podRefFromLabels(view.labels).uid)) continue;
    }
    views.push_back(std::move(view));
  }
  std::vector<ContainerStatus> statuses = adoptContainers(views, options_.agentId);
  if (!gcScheduled_) {
    // From now on the runtime knows every pod of ours that still has a
    // container: what it does not track is no pod's.
    gcScheduled_ = true;
    scheduleSandboxGc();
  }
  for (auto& known : knownExits) {
    bool shadowed = false;  // a newer instance of that container is listed
    for (const auto& status : statuses) {
      shadowed |= status.pod.uid == known.pod.uid && status.containerName == known.containerName &&
                  (status.state != ContainerState::kExited || status.restartCount >= known.restartCount);
    }
    if (!shadowed) statuses.push_back(std::move(known));
  }
  std::weak_ptr<bool> alive = alive_;
  for (auto& status : statuses) {
    const std::string id = criIdOf(status.containerId);
    auto it = containers_.find(id);
    if (it != containers_.end() && status.state == ContainerState::kRunning &&
        it->second.status.state == ContainerState::kRunning) {
      status = it->second.status;  // what its start answered, in full
      continue;
    }
    if (it == containers_.end()) {
      // Adopted: watched from now on (the event stream reports every id).
      containers_[id] = Tracked{status, {}};
      if (!podIPs_.count(status.pod.uid)) podIPs_[status.pod.uid] = "";
      // Its exit event may have come while the calls ran, untracked then:
      // reported after this answer, as a start's early exit is.
      auto early = unclaimedExits_.find(id);
      if (early != unclaimedExits_.end() && status.state != ContainerState::kExited) {
        TaskExit exit{id, static_cast<std::uint32_t>(early->second.exitCode), early->second.exitedAt,
                      early->second.reason};
        unclaimedExits_.erase(early);
        boost::asio::post(loop_, [this, alive, exit] {
          if (!alive.expired()) onTaskExit(exit);
        });
      }
      continue;
    }
    if (status.state == ContainerState::kExited && it->second.status.state == ContainerState::kRunning) {
      // The list itself reports this exit to the caller: no event besides,
      // and the stops waiting for it hear of it after the list's answer. The
      // CRI's reason stands; an OOM event seen here adds OOMKilled to an exit
      // the CRI missed it for.
      if (oomKills_.take(id) && status.exitCode) status.reason = reasons::kOOMKilled;
      it->second.status = status;
      std::vector<StopCallback> waiters = std::move(it->second.stopWaiters);
      it->second.stopWaiters.clear();
      if (!waiters.empty()) {
        boost::asio::post(loop_, [waiters = std::move(waiters), status] {
          for (const auto& waiter : waiters) waiter(status);
        });
      }
    }
  }
  // Pod IPs of adopted pods: the sandbox's, unless a start made it known meanwhile.
  for (const auto& [uid, ip] : listing.sandboxIPs) {
    auto known = podIPs_.find(uid);
    if (known != podIPs_.end() && known->second.empty() && !sandboxes_.count(uid)) known->second = ip;
  }
  return statuses;
}

}  // namespace daemonlet::runtime::cri
