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
    std::optional<std::string> policy;
    bool dryRun;
  };
  for (
      const Row& row : std::vector<Row>{
          {"nothing", {}, "", std::nullopt, std::nullopt, false},
          {"kubectl delete pod",
           {},
           R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"})",
           std::nullopt,
           "Background",
           false},
          {"--grace-period=5",
           {},
           R"({"kind":"DeleteOptions","apiVersion":"v1","gracePeriodSeconds":5,"propagationPolicy":"Background"})",
           5,
           "Background",
           false},
          {"--force --grace-period=0", {}, R"({"gracePeriodSeconds":0})", 0, std::nullopt, false},
          {"query only",
           {{"gracePeriodSeconds", "7"}, {"propagationPolicy", "Orphan"}},
           "",
           7,
           "Orphan",
           false},
          // handlers/delete.go decodes the body, or else the query: never both.
          {"a body hides the query",
           {{"gracePeriodSeconds", "7"}, {"dryRun", "All"}},
           R"({"propagationPolicy":"Orphan"})",
           std::nullopt,
           "Orphan",
           false},
          {"dry run in the query", {{"dryRun", "All"}}, "", std::nullopt, std::nullopt, true},
          {"dry run in the body",
           {},
           R"({"dryRun":["All"],"propagationPolicy":"Foreground"})",
           std::nullopt,
           "Foreground",
           true},
          {"whitespace body", {{"gracePeriodSeconds", "2"}}, " \n", 2, std::nullopt, false},
          // rest.BeforeDelete: "Negative values will be treated as the value `1s`".
          {"negative grace in the body", {}, R"({"gracePeriodSeconds":-1})", 1, std::nullopt, false},
          {"negative grace in the query", {{"gracePeriodSeconds", "-30"}}, "", 1, std::nullopt, false},
      }) {
    SCOPED_TRACE(row.name);
    auto options = parseDeleteOptions(row.query, row.body);
    ASSERT_TRUE(options) << options.error().describe();
    EXPECT_EQ(options->gracePeriodSeconds, row.grace);
    EXPECT_EQ(options->propagationPolicy, row.policy);
    EXPECT_EQ(options->isDryRun(), row.dryRun);
    EXPECT_TRUE(validateDeleteOptions(*options).empty());
  }
}

TEST(DeleteOptionsTest, Preconditions) {
  auto options = parseDeleteOptions({}, R"({"preconditions":{"uid":"u-1","resourceVersion":"42"}})");
  ASSERT_TRUE(options) << options.error().describe();
  EXPECT_EQ(options->preconditionUid, "u-1");
  EXPECT_EQ(options->preconditionResourceVersion, "42");
}

// What cannot be decoded: a 400 BadRequest naming the field.
TEST(DeleteOptionsTest, UndecodableOptionsNameTheField) {
  struct Row {
    const char* name;
    Query query;
    std::string body;
    std::string field;  // the error's context
    std::string says;   // part of its message
  };
  for (const Row& row : std::vector<Row>{
           {"grace that is no number",
            {{"gracePeriodSeconds", "soon"}},
            "",
            "gracePeriodSeconds",
            "not an integer"},
           {"grace as a string", {}, R"({"gracePeriodSeconds":"5"})", "gracePeriodSeconds", "integer"},
           {"policy not a string", {}, R"({"propagationPolicy":3})", "propagationPolicy", "string"},
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

// ValidateDeleteOptions: unsupported values are causes of a 422, worded as
// field.NotSupported words them.
TEST(DeleteOptionsTest, UnsupportedValuesAreFieldCauses) {
  struct Row {
    const char* name;
    Query query;
    std::string body;
    std::vector<std::string> fields;
    std::string firstMessage;
  };
  for (
      const Row& row : std::vector<Row>{
          {"unknown policy",
           {},
           R"({"propagationPolicy":"Eventually"})",
           {"propagationPolicy"},
           R"(Unsupported value: "Eventually": supported values: "Foreground", "Background", "Orphan", "nil")"},
          {"unknown policy in the query",
           {{"propagationPolicy", "later"}},
           "",
           {"propagationPolicy"},
           R"(Unsupported value: "later": supported values: "Foreground", "Background", "Orphan", "nil")"},
          {"unknown dry run",
           {{"dryRun", "Some"}},
           "",
           {"dryRun"},
           R"(Unsupported value: []string{"Some"}: supported values: "All")"},
          {"one bad dry run among good",
           {},
           R"({"dryRun":["All","Partly"]})",
           {"dryRun"},
           R"(Unsupported value: []string{"All", "Partly"}: supported values: "All")"},
          {"both",
           {},
           R"({"dryRun":["x"],"propagationPolicy":""})",
           {"propagationPolicy", "dryRun"},
           R"(Unsupported value: "": supported values: "Foreground", "Background", "Orphan", "nil")"},
      }) {
    SCOPED_TRACE(row.name);
    auto options = parseDeleteOptions(row.query, row.body);
    ASSERT_TRUE(options) << options.error().describe();
    auto causes = validateDeleteOptions(*options);
    ASSERT_EQ(causes.size(), row.fields.size());
    for (std::size_t i = 0; i < causes.size(); ++i) {
      EXPECT_EQ(causes[i].field, row.fields[i]);
      EXPECT_EQ(causes[i].reason, "FieldValueNotSupported");
    }
    EXPECT_EQ(causes[0].message, row.firstMessage);
  }
}

}  // namespace
}  // namespace daemonlet::kubeapi
