// Content negotiation: JSON, Table, or 406; aggregated discovery falls back.
#include "agent/kubeapi/kube_status.h"

#include <gtest/gtest.h>

namespace daemonlet::kubeapi {
namespace {

TEST(NegotiateTest, Table) {
  struct Row {
    const char* accept;
    Representation want;
  };
  for (const Row& row : std::vector<Row>{
           {"", Representation::kJson},
           {"application/json", Representation::kJson},
           {"application/json, */*", Representation::kJson},
           {"application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
            Representation::kTable},
           {"application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json", Representation::kJson},
           {"application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", Representation::kNotAcceptable},
           {"application/vnd.kubernetes.protobuf", Representation::kNotAcceptable},
           {"application/vnd.kubernetes.protobuf, application/json", Representation::kJson},
           {"application/yaml", Representation::kNotAcceptable}}) {
    SCOPED_TRACE(row.accept);
    EXPECT_EQ(negotiate(row.accept), row.want);
  }
}

}  // namespace
}  // namespace daemonlet::kubeapi
