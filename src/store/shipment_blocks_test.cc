#include "store/shipment_blocks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace leadq::store::shipblocks {
namespace {

ShipmentFields Line() {
  ShipmentFields f;
  f.arrival = 20'577 * kMicrosPerDay;  // 2026-05-02
  f.bol_number = "MAEU123456789";
  f.hs_code = "870830";
  f.texts = {"ACME AUTO PARTS INC",
             "ROBERT BOSCH GMBH",
             "1200 Industrial Pkwy",
             "Detroit",
             "US",
             "DE",
             "EXPEDITORS INTL",
             "DE",
             "HAMBURG",
             "NEW YORK, NY",
             "BRAKE DISCS",
             "MAERSK"};
  f.numbers = {1250.5, 1, std::nullopt, 0.0, 98'000};
  return f;
}

void ExpectSame(const ShipmentFields& a, const ShipmentFields& b) {
  EXPECT_EQ(a.arrival, b.arrival);
  EXPECT_EQ(a.bol_number, b.bol_number);
  EXPECT_EQ(a.hs_code, b.hs_code);
  for (size_t i = 0; i < kTexts; ++i) EXPECT_EQ(a.texts[i], b.texts[i]) << "text " << i;
  for (size_t k = 0; k < kNumbers; ++k) EXPECT_EQ(a.numbers[k], b.numbers[k]) << "number " << k;
}

TEST(ShipmentBlocks, ALineComesBackAsWrittenWithAbsentNumbersAbsent) {
  ShipmentFields line = Line();
  std::string encoded;
  EncodeRow(encoded, line);
  ShipmentFields back;
  ASSERT_TRUE(DecodeRow(encoded, DayOf(line.arrival), back));
  ExpectSame(back, line);
  EXPECT_FALSE(back.numbers[2].has_value()) << "absent stays absent";
  ASSERT_TRUE(back.numbers[3].has_value()) << "zero is a value";

  int64_t time = -1;
  std::string_view bol, hs;
  ASSERT_TRUE(DecodeKey(encoded, time, bol, hs));
  EXPECT_EQ(time, 0);
  EXPECT_EQ(bol, "MAEU123456789");
  EXPECT_EQ(hs, "870830");
}

TEST(ShipmentBlocks, TheTimeWithinTheDayAndDaysBeforeTheEpochRoundTrip) {
  for (TimePoint arrival : {TimePoint{0}, 5 * kMicrosPerDay + 3 * kMicrosPerSecond, TimePoint{-1},
                            -3 * kMicrosPerDay, -3 * kMicrosPerDay + 17}) {
    ShipmentFields line = Line();
    line.arrival = arrival;
    std::string encoded;
    EncodeRow(encoded, line);
    ShipmentFields back;
    ASSERT_TRUE(DecodeRow(encoded, DayOf(arrival), back)) << arrival;
    EXPECT_EQ(back.arrival, arrival);
    EXPECT_LE(DayOf(arrival) * kMicrosPerDay, arrival);
    EXPECT_GT((DayOf(arrival) + 1) * kMicrosPerDay, arrival);
  }
  EXPECT_EQ(DayOf(-1), -1);
  EXPECT_EQ(DayOf(kMicrosPerDay - 1), 0);
}

TEST(ShipmentBlocks, EqualLinesEncodeToEqualBytesMinusZeroIncluded) {
  ShipmentFields a = Line();
  ShipmentFields b = Line();
  a.numbers[3] = -0.0;
  std::string x, y;
  EncodeRow(x, a);
  EncodeRow(y, b);
  EXPECT_EQ(x, y);
  b.numbers[0] = 1250.25;
  y.clear();
  EncodeRow(y, b);
  EXPECT_NE(x, y);
}

TEST(ShipmentBlocks, ABlockHoldsItsLinesInOrder) {
  std::vector<std::string> encoded(3);
  std::vector<std::string_view> rows;
  for (size_t i = 0; i < encoded.size(); ++i) {
    ShipmentFields line = Line();
    std::string bol = "B" + std::to_string(i);
    line.bol_number = bol;
    EncodeRow(encoded[i], line);
    rows.push_back(encoded[i]);
  }
  std::string blob = EncodeBlock(rows);
  std::vector<std::string_view> back = {"already here"};
  ASSERT_TRUE(DecodeBlock(blob, back).ok());
  ASSERT_EQ(back.size(), 4u) << "appended";
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(back[i + 1], rows[i]);
}

TEST(ShipmentBlocks, DamagedBytesAreAnErrorNotAnOverrun) {
  std::string encoded;
  EncodeRow(encoded, Line());
  for (size_t cut = 0; cut < encoded.size(); ++cut) {
    ShipmentFields f;
    EXPECT_FALSE(DecodeRow(std::string_view(encoded).substr(0, cut), 0, f)) << "cut at " << cut;
  }
  ShipmentFields f;
  EXPECT_FALSE(DecodeRow(encoded + "x", 0, f)) << "bytes after the line";

  std::vector<std::string_view> rows = {encoded};
  std::string blob = EncodeBlock(rows);
  for (size_t cut = 0; cut < blob.size(); ++cut) {
    std::vector<std::string_view> out;
    Status s = DecodeBlock(std::string_view(blob).substr(0, cut), out);
    EXPECT_FALSE(s.ok()) << "cut at " << cut;
  }
  std::vector<std::string_view> out;
  Status s = DecodeBlock("\x02", out);
  EXPECT_NE(s.message().find("format 2"), std::string::npos) << s.message();
}

TEST(ShipmentBlocks, KeyBucketsRoundTripAndTheHashIsStable) {
  std::vector<KeyEntry> entries = {
      {1, -400}, {ShipmentKeyHash("MAEU1", "870830"), 20'577}, {~uint64_t{0}, 0}};
  std::vector<KeyEntry> back;
  ASSERT_TRUE(DecodeKeyBucket(EncodeKeyBucket(entries), back).ok());
  EXPECT_EQ(back, entries);
  std::string blob = EncodeKeyBucket(entries);
  back.clear();
  EXPECT_FALSE(DecodeKeyBucket(blob.substr(0, blob.size() - 1), back).ok());

  // Stored on disk: the hash must never change.
  EXPECT_EQ(ShipmentKeyHash("MAEU1", "870830"), ShipmentKeyHash("MAEU1", "870830"));
  EXPECT_NE(ShipmentKeyHash("MAEU1", "870830"), ShipmentKeyHash("MAEU18", "70830"))
      << "the separator keeps bol_number and hs_code apart";
  EXPECT_EQ(ShipmentKeyHash("MAEU1", "870830"), 0x86a212463907a9b5ULL);
}

}  // namespace
}  // namespace leadq::store::shipblocks
