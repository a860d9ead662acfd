#include "agent/base/shared_library.h"

#include <gtest/gtest.h>

#include <string>

namespace daemonlet::base {
namespace {

TEST(SharedLibraryTest, MissingLibraryErrorNamesSonameAndPackage) {
  auto library = SharedLibrary::open("libdaemonlet-does-not-exist.so.7", "daemonlet-missing");
  ASSERT_FALSE(library.has_value());
  const std::string text = library.error().describe();
  EXPECT_NE(text.find("libdaemonlet-does-not-exist.so.7"), std::string::npos) << text;
  EXPECT_NE(text.find("install Debian package daemonlet-missing"), std::string::npos) << text;
  EXPECT_EQ(library.error().code, ErrorCode::kNotFound);
}

TEST(SharedLibraryTest, MissingPackageHintIsLeftOut) {
  auto library = SharedLibrary::open("libdaemonlet-does-not-exist.so.7", "");
  ASSERT_FALSE(library.has_value());
  EXPECT_EQ(library.error().describe().find("install"), std::string::npos) << library.error().describe();
}

// libcurl is a runtime dependency of the agent, so it is present wherever the tests run.
TEST(SharedLibraryTest, RealLibraryLoadsAndResolvesAFunction) {
  auto library = SharedLibrary::open("libcurl.so.4", "libcurl4");
  ASSERT_TRUE(library.has_value()) << library.error().describe();
  EXPECT_EQ(library->soname(), "libcurl.so.4");

  using VersionFunction = const char* (*)();
  VersionFunction version = nullptr;
  auto bound = library->bind(version, "curl_version");
  ASSERT_TRUE(bound.has_value()) << bound.error().describe();
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(std::string(version()).rfind("libcurl/", 0), 0u) << version();
}

TEST(SharedLibraryTest, MissingSymbolErrorNamesSymbolAndLibrary) {
  auto library = SharedLibrary::open("libcurl.so.4", "libcurl4");
  ASSERT_TRUE(library.has_value()) << library.error().describe();

  auto address = library->symbol("curl_no_such_function");
  ASSERT_FALSE(address.has_value());
  EXPECT_NE(address.error().describe().find("curl_no_such_function"), std::string::npos);
  EXPECT_NE(address.error().describe().find("libcurl.so.4"), std::string::npos);

  void (*slot)() = nullptr;
  auto bound = library->bind(slot, "curl_no_such_function");
  ASSERT_FALSE(bound.has_value());
  EXPECT_NE(bound.error().describe().find("curl_no_such_function"), std::string::npos);
  EXPECT_EQ(slot, nullptr);  // a failed bind leaves the slot alone
}

TEST(SharedLibraryTest, OpeningTwiceGivesTheSameFunction) {
  auto first = SharedLibrary::open("libcurl.so.4", "libcurl4");
  auto second = SharedLibrary::open("libcurl.so.4", "libcurl4");
  ASSERT_TRUE(first.has_value() && second.has_value());
  auto a = first->symbol("curl_easy_init");
  auto b = second->symbol("curl_easy_init");
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_EQ(*a, *b);
}

}  // namespace
}  // namespace daemonlet::base
