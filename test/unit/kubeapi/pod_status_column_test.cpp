// The STATUS column of `kubectl get pods`, as the API server's pod printer
// derives it: init containers first ("Init:1/2", "Init:CrashLoopBackOff"),
// then the containers, then Terminating.
#include <gtest/gtest.h>

#include "agent/kubeapi/table_printers.h"

namespace daemonlet::kubeapi {
namespace {

using Json = model::Json;

Json podWith(Json initStatuses, Json statuses, bool initialized, Json initSpecs = Json::array({{{"name", "a"}}, {{"name", "b"}}})) {
  return {{"metadata", {{"name", "p"}, {"namespace", "default"}, {"creationTimestamp", "2026-12-03T10:00:00Z"}}},
          {"spec", {{"initContainers", initSpecs}, {"containers", Json::array({{{"name", "main"}}})}, {"nodeName", "n1"}}},
          {"status",
           {{"phase", initialized ? "Running" : "Pending"},
            {"conditions", Json::array({{{"type", "Initialized"}, {"status", initialized ? "True" : "False"}}})},
            {"initContainerStatuses", initStatuses},
            {"containerStatuses", statuses}}}};
}

Json completed() { return {{"name", "x"}, {"state", {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}}}}; }
Json waiting(const char* reason) { return {{"name", "x"}, {"state", {{"waiting", {{"reason", reason}}}}}}; }
Json running() { return {{"name", "x"}, {"ready", true}, {"state", {{"running", {{"startedAt", "2026-12-03T10:00:01Z"}}}}}}; }

std::string statusColumn(const Json& pod) {
  return tableCells("pods", pod, std::chrono::system_clock::now())[2].get<std::string>();
}

TEST(PodStatusColumn, InitContainersNameTheStatusUntilTheyAreDone) {
  struct Case {
    const char* name;
    Json pod;
    const char* status;
  } cases[] = {
      {"first init container running", podWith(Json::array({running(), waiting("PodInitializing")}),
                                               Json::array({waiting("PodInitializing")}), false),
       "Init:0/2"},
      {"second one running", podWith(Json::array({completed(), running()}), Json::array({waiting("PodInitializing")}), false),
       "Init:1/2"},
      {"an init container crash-looping",
       podWith(Json::array({completed(), waiting("CrashLoopBackOff")}), Json::array({waiting("PodInitializing")}), false),
       "Init:CrashLoopBackOff"},
      {"an init container failed without a reason",
       podWith(Json::array({{{"name", "a"}, {"state", {{"terminated", {{"exitCode", 2}}}}}}, waiting("PodInitializing")}),
               Json::array({waiting("PodInitializing")}), false),
       "Init:ExitCode:2"},
      {"all done: the containers speak", podWith(Json::array({completed(), completed()}), Json::array({running()}), true),
       "Running"},
      {"a started sidecar is passed over",
       podWith(Json::array({{{"name", "a"}, {"started", true}, {"state", {{"running", Json::object()}}}}, running()}),
               Json::array({waiting("PodInitializing")}), false,
               Json::array({{{"name", "a"}, {"restartPolicy", "Always"}}, {{"name", "b"}}})),
       "Init:1/2"},
      {"a container killed by a signal", podWith(Json::array({completed(), completed()}),
                                                 Json::array({{{"name", "main"}, {"state", {{"terminated", {{"exitCode", 137}, {"signal", 9}}}}}}}),
                                                 true),
       "Signal:9"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(statusColumn(c.pod), c.status);
  }
}

}  // namespace
}  // namespace daemonlet::kubeapi
