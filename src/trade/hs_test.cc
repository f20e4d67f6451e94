#include "trade/hs.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace leadq::trade {
namespace {

TEST(HsDigits, KeepsDigitsDropsDotsAndSpaces) {
  EXPECT_EQ(HsDigits("8708.30"), "870830");
  EXPECT_EQ(HsDigits(" 8708 30 50 "), "87083050");
  EXPECT_EQ(HsDigits("8708.30.50.20"), "8708305020");
  EXPECT_EQ(HsDigits("8708-30"), "");
  EXPECT_EQ(HsDigits("HS 8708"), "");
  EXPECT_EQ(HsDigits(""), "");
  EXPECT_EQ(HsDigits(" . "), "");
}

TEST(FormatHs, FourDigitsThenPairs) {
  EXPECT_EQ(FormatHs("870830"), "8708.30");
  EXPECT_EQ(FormatHs("8708305020"), "8708.30.50.20");
  EXPECT_EQ(FormatHs("87083050"), "8708.30.50");
  EXPECT_EQ(FormatHs("8708"), "8708");
  EXPECT_EQ(FormatHs("87"), "87");
  EXPECT_EQ(FormatHs("8708.30"), "8708.30");  // already spelled: unchanged
  EXPECT_EQ(FormatHs("brakes"), "");
}

TEST(HsNomenclature, BuiltinIsTheHs2022File) {
  const HsNomenclature& hs = HsNomenclature::Builtin();
  // harmonized-system.csv: 6,940 rows less the TOTAL summary row = 97 chapters + 1,229
  // headings + 5,613 subheadings.
  EXPECT_EQ(hs.size(), 6939u);
  EXPECT_EQ(&hs, &HsNomenclature::Builtin());  // parsed once

  const HsEntry* brakes = hs.Find("870830");
  ASSERT_NE(brakes, nullptr);
  EXPECT_EQ(*brakes, (HsEntry{"870830", "Vehicle parts; brakes, servo-brakes and parts thereof",
                              "8708", 6, "XVII"}));
  const HsEntry* chapter = hs.Find("87");
  ASSERT_NE(chapter, nullptr);
  EXPECT_EQ(chapter->parent, "");  // TOTAL in the file
  EXPECT_EQ(chapter->level, 2);
  EXPECT_EQ(hs.Find("99")->section, "");      // chapter 99 has no section
  EXPECT_EQ(hs.Find("8708305020"), nullptr);  // national lines are not HS codes
  EXPECT_EQ(hs.Find("TOTAL"), nullptr);
}

TEST(HsNomenclature, LongestFallsBackFromNationalLines) {
  const HsNomenclature& hs = HsNomenclature::Builtin();
  ASSERT_NE(hs.Longest("8708305020"), nullptr);
  EXPECT_EQ(hs.Longest("8708305020")->code, "870830");
  EXPECT_EQ(hs.Longest("870890")->code, "8708");  // 8708.90 is not a subheading: 8708
  EXPECT_EQ(hs.Longest("8777")->code, "87");
  EXPECT_EQ(hs.Longest("77"), nullptr);  // chapter 77 is reserved
  EXPECT_EQ(hs.Longest("8"), nullptr);
  EXPECT_EQ(hs.Longest("8708.30"), nullptr);  // digits only
}

TEST(HsNomenclature, DescribeSpellsTheCodeAsGiven) {
  const HsNomenclature& hs = HsNomenclature::Builtin();
  EXPECT_EQ(hs.Describe("870830"), "8708.30 Vehicle parts; brakes, servo-brakes and parts thereof");
  EXPECT_EQ(hs.Describe("8708.30.50"),
            "8708.30.50 Vehicle parts; brakes, servo-brakes and parts thereof");
  EXPECT_EQ(hs.Describe("7700"), "7700");
  EXPECT_EQ(hs.Describe("brakes"), "");
}

TEST(HsNomenclature, BuiltinNeedsNoFileAtRunTime) {
  // The CSV is in the binary: moving away from the source tree changes nothing.
  std::filesystem::path before = std::filesystem::current_path();
  std::filesystem::current_path(std::filesystem::temp_directory_path());
  EXPECT_NE(HsNomenclature::Builtin().Find("8708"), nullptr);
  std::filesystem::current_path(before);
}

TEST(HsNomenclature, ParseReadsColumnsByKey) {
  auto hs = HsNomenclature::Parse(
      "Level,HS Code,Description,Parent,Section\n"
      "2,87,Vehicles,TOTAL,XVII\n"
      "4,8708,\"Motor vehicles; parts\",87,XVII\n",
      "mini.csv");
  ASSERT_TRUE(hs.ok()) << hs.status().message();
  EXPECT_EQ(hs->size(), 2u);
  EXPECT_EQ(hs->Find("8708")->description, "Motor vehicles; parts");
  EXPECT_EQ(hs->Describe("87083050"), "8708.30.50 Motor vehicles; parts");
}

TEST(HsNomenclature, ParseListsEveryBadRow) {
  auto hs = HsNomenclature::Parse(
      "section,hscode,description,parent,level\n"
      "XVII,87,Vehicles,TOTAL,2\n"
      "XVII,870,Three digits,87,3\n"
      "XVII,8708,Parts,87,6\n"
      "XVII,87,Vehicles again,TOTAL,2\n",
      "hs.csv");
  ASSERT_FALSE(hs.ok());
  EXPECT_EQ(hs.status().message(),
            "hs.csv:3: the code \"870\" is not 2, 4 or 6 digits\n"
            "hs.csv:4: the level \"6\" of 8708 is not its number of digits 4\n"
            "hs.csv:5: the code 87 is already given on line 2");

  auto no_code = HsNomenclature::Parse("code,description\n87,Vehicles\n", "x.csv");
  ASSERT_FALSE(no_code.ok());
  EXPECT_EQ(no_code.status().message(),
            "x.csv:1: no column hscode; expected section,hscode,description,parent,level");
  EXPECT_FALSE(HsNomenclature::Parse("", "empty.csv").ok());
}

}  // namespace
}  // namespace leadq::trade
