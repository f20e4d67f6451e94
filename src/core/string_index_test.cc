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

TEST(StringIndex, KeysOfUpTo16BytesAreCopiedLongerOnesBorrowed) {
  StringIndex index;
  const std::string long_key(17, 'k');  // borrowed: must outlive the index
  {
    std::string sixteen(16, 'x');
    std::string fifteen(15, 'x');
    index.Insert(sixteen, 1);
    index.Insert(fifteen, 2);
    sixteen.assign(16, '?');  // the index kept its own copy
    fifteen.clear();
  }
  index.Insert(long_key, 3);
  EXPECT_EQ(index.Find(std::string(16, 'x')), 1u);
  EXPECT_EQ(index.Find(std::string(15, 'x')), 2u);
  EXPECT_FALSE(index.Find(std::string(16, '?')));
  EXPECT_EQ(index.Find(std::string(17, 'k')), 3u);
  EXPECT_FALSE(index.Find(std::string(17, 'x')));
  // Growing moves the slots; inline keys move with them.
  for (uint32_t i = 0; i < 1000; ++i) index.Insert("id-" + std::to_string(i), 10 + i);
  EXPECT_EQ(index.Find(std::string(16, 'x')), 1u);
  EXPECT_EQ(index.Find("id-999"), 1009u);
}

TEST(StringIndex, EmptyIndexFindsNothing) {
  StringIndex index;
  EXPECT_FALSE(index.Find("x"));
  index.Reserve(10);
  EXPECT_FALSE(index.Find("x"));
}

}  // namespace
}  // namespace leadq
