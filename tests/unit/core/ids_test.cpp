#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace {

bool only_chars(const std::string& s, std::string_view allowed) {
  return std::all_of(s.begin(), s.end(), [&](char c) { return allowed.find(c) != std::string_view::npos; });
}

constexpr std::string_view kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

TEST(Ids, RandomTokenIsUrlSafeAndSized) {
  auto t = sp::ids::random_token();
  EXPECT_EQ(t.size(), 43u);  // ceil(32 * 4 / 3) without padding
  EXPECT_TRUE(only_chars(t, kBase64Url)) << t;
  EXPECT_EQ(sp::ids::random_token(3).size(), 4u);
  EXPECT_EQ(sp::ids::random_token(16).size(), 22u);
  EXPECT_NE(sp::ids::random_token(), sp::ids::random_token());
}

TEST(Ids, RandomTokensDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(sp::ids::random_token(16));
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(Ids, RequestIdIsHex) {
  auto id = sp::ids::request_id();
  EXPECT_EQ(id.size(), 16u);
  EXPECT_TRUE(only_chars(id, "0123456789abcdef")) << id;
  EXPECT_EQ(sp::ids::request_id(4).size(), 8u);
  EXPECT_NE(sp::ids::request_id(), sp::ids::request_id());
}

TEST(Ids, UuidToString) {
  std::array<std::uint8_t, 16> b{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
  EXPECT_EQ(sp::ids::uuid_to_string(b), "01234567-89ab-cdef-fedc-ba9876543210");
}

TEST(Ids, UuidV7Layout) {
  // RFC 9562 appendix A.6: 2022-02-22T19:22:22Z = 0x017F22E279B0 ms.
  auto at = std::chrono::system_clock::time_point{std::chrono::milliseconds{0x017F22E279B0}};
  auto b = sp::ids::uuid_v7_bytes(at);
  auto s = sp::ids::uuid_to_string(b);
  EXPECT_EQ(s.substr(0, 13), "017f22e2-79b0") << s;
  EXPECT_EQ(s[14], '7') << s;                                                    // version
  EXPECT_NE(std::string_view("89ab").find(s[19]), std::string_view::npos) << s;  // variant 0b10
  EXPECT_EQ(b[6] >> 4, 7);
  EXPECT_EQ(b[8] >> 6, 2);
}

TEST(Ids, UuidV7HasCurrentTimestamp) {
  auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  auto s = sp::ids::uuid_v7();
  auto after = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  ASSERT_EQ(s.size(), 36u);
  EXPECT_EQ(s[8], '-');
  EXPECT_EQ(s[13], '-');
  EXPECT_EQ(s[18], '-');
  EXPECT_EQ(s[23], '-');
  EXPECT_EQ(s[14], '7');
  EXPECT_NE(std::string_view("89ab").find(s[19]), std::string_view::npos) << s;
  long long ms = std::stoll(s.substr(0, 8) + s.substr(9, 4), nullptr, 16);
  EXPECT_GE(ms, before);
  EXPECT_LE(ms, after + 1);  // +1: the counter may have pushed the timestamp one millisecond ahead
}

TEST(Ids, UuidV7IsStrictlyIncreasingAcrossThreads) {
  // Lower-case hex of the same length sorts like the number, so string order is time order.
  std::vector<std::string> all;
  std::mutex m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> mine;
      for (int i = 0; i < 5000; ++i) mine.push_back(sp::ids::uuid_v7());
      for (std::size_t i = 1; i < mine.size(); ++i) ASSERT_LT(mine[i - 1], mine[i]);
      std::lock_guard lock(m);
      all.insert(all.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> unique(all.begin(), all.end());
  EXPECT_EQ(unique.size(), all.size());
}

}  // namespace
