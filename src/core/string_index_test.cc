#include "core/string_index.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_map>

namespace leadq {
namespace {

TEST(StringIndex, BehavesLikeAMapOfFirstValues) {
  std::vector<std::string> keys;
  for (int i = 0; i < 50000; ++i) keys.push_back("L" + std::to_string(i % 20000));
  keys.push_back("");
  keys.push_back("a much longer key that spans several eight-byte words");
  StringIndex index;
  std::unordered_map<std::string, uint32_t> reference;
  for (uint32_t r = 0; r < keys.size(); ++r) {
    auto [value, fresh] = index.Insert(keys[r], r);
    auto [it, ref_fresh] = reference.emplace(keys[r], r);
    EXPECT_EQ(fresh, ref_fresh);
    EXPECT_EQ(value, it->second);
  }
  EXPECT_EQ(index.size(), reference.size());
  for (const auto& [k, v] : reference) EXPECT_EQ(index.Find(k), v);
  EXPECT_FALSE(index.Find("L20000"));
  EXPECT_FALSE(index.Find("nope"));
  EXPECT_NE(HashBytes(""), 0u);
  EXPECT_NE(HashBytes("ab"), HashBytes("ba"));
}

TEST(StringIndex, EmptyIndexFindsNothing) {
  StringIndex index;
  EXPECT_FALSE(index.Find("x"));
  index.Reserve(10);
  EXPECT_FALSE(index.Find("x"));
}

}  // namespace
}  // namespace leadq
