// DeleteOptions from the query string and the JSON body, as kubectl sends them.
#include "agent/kubeapi/delete_options.h"

#include <gtest/gtest.h>

namespace daemonlet::kubeapi {
namespace {

using Query = std::multimap<std::string, std::string>;

TEST(DeleteOptionsTest, KubectlsBodiesAndTheQueryString) {
  struct Row {
    const char* name;
    Query query;
    std::string body;
    std::optional<std::int64_t> grace;
    std::string policy;
    bool dryRun;
  };
  for (const Row& row : std::vector<Row>{
           {"nothing", {}, "", std::nullopt, "", false},
           {"kubectl delete pod", {}, R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"})",
            std::nullopt, "Background", false},
           {"--grace-period=5", {},
            R"({"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":5,"propagationPolicy":"Background"})", 5,
            "Background", false},
           {"--force --grace-period=0", {}, R"({"gracePeriodSeconds":0})", 0, "", false},
           {"query only", {{"gracePeriodSeconds", "7"}, {"propagationPolicy", "Orphan"}}, "", 7, "Orphan", false},
           {"the body wins", {{"gracePeriodSeconds", "7"}}, R"({"gracePeriodSeconds":2})", 2, "", false},
           {"dry run in the query", {{"dryRun", "All"}}, "", std::nullopt, "", true},
           {"dry run in the body", {}, R"({"dryRun":["All"],"propagationPolicy":"Foreground"})", std::nullopt,
            "Foreground", true},
           {"whitespace body", {}, " \n", std::nullopt, "", false},
       }) {
    SCOPED_TRACE(row.name);
    auto options = parseDeleteOptions(row.query, row.body);
    ASSERT_TRUE(options) << options.error().describe();
    EXPECT_EQ(options->gracePeriodSeconds, row.grace);
    EXPECT_EQ(options->propagationPolicy, row.policy);
    EXPECT_EQ(options->dryRun, row.dryRun);
  }
}

TEST(DeleteOptionsTest, Preconditions) {
  auto options = parseDeleteOptions({}, R"({"preconditions":{"uid":"u-1","resourceVersion":"42"}})");
  ASSERT_TRUE(options) << options.error().describe();
  EXPECT_EQ(options->preconditionUid, "u-1");
  EXPECT_EQ(options->preconditionResourceVersion, "42");
}

TEST(DeleteOptionsTest, RefusalsNameTheField) {
  struct Row {
    const char* name;
    Query query;
    std::string body;
    std::string field;  // the error's context
    std::string says;   // part of its message
  };
  for (const Row& row : std::vector<Row>{
           {"negative grace in the body", {}, R"({"gracePeriodSeconds":-1})", "gracePeriodSeconds", "greater than or equal to 0"},
           {"negative grace in the query", {{"gracePeriodSeconds", "-3"}}, "", "gracePeriodSeconds", "not -3"},
           {"grace that is no number", {{"gracePeriodSeconds", "soon"}}, "", "gracePeriodSeconds", "not an integer"},
           {"grace as a string", {}, R"({"gracePeriodSeconds":"5"})", "gracePeriodSeconds", "integer"},
           {"unknown policy", {}, R"({"propagationPolicy":"Eventually"})", "propagationPolicy", "\"Eventually\""},
           {"unknown policy in the query", {{"propagationPolicy", "later"}}, "", "propagationPolicy", "Orphan"},
           {"unknown dry run", {{"dryRun", "Some"}}, "", "dryRun", "\"Some\""},
           {"dry run not a list", {}, R"({"dryRun":"All"})", "dryRun", "list"},
           {"not JSON", {}, "{\"gracePeriodSeconds\":", "body", "not valid JSON"},
           {"not an object", {}, "[1,2]", "body", "JSON object"},
           {"another kind", {}, R"({"kind":"Pod"})", "kind", "DeleteOptions"},
           {"uid not a string", {}, R"({"preconditions":{"uid":7}})", "preconditions.uid", "string"},
       }) {
    SCOPED_TRACE(row.name);
    auto options = parseDeleteOptions(row.query, row.body);
    ASSERT_FALSE(options);
    EXPECT_EQ(options.error().context, row.field);
    EXPECT_NE(options.error().message.find(row.says), std::string::npos) << options.error().message;
  }
}

}  // namespace
}  // namespace daemonlet::kubeapi
