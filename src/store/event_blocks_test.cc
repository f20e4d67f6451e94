#include "store/event_blocks.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace leadq::store::blocks {
namespace {

TEST(EventBlocks, EventsComeBackAsWritten) {
  std::vector<StoredProp> first = {{0, "/pricing"}, {3, "google"}};
  BlockWriter w;
  w.Add({.seq = 7, .occurred_at = 1'700'000'000'000'000, .event_id = "E1", .type = "visit"}, first);
  // Earlier than the one before (a merged segment is sorted, but the format does not rely on
  // it), no id, no properties, an empty-looking but present type.
  w.Add({.seq = 300'000'000, .occurred_at = -5, .event_id = "", .type = "Form Submit"}, {});
  EXPECT_EQ(w.count(), 2u);
  std::string blob = w.Finish();
  EXPECT_EQ(w.count(), 0u);

  std::vector<StoredEvent> events;
  std::vector<StoredProp> props;
  ASSERT_TRUE(DecodeBlock(blob, events, props).ok());
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].seq, 7);
  EXPECT_EQ(events[0].occurred_at, 1'700'000'000'000'000);
  EXPECT_EQ(events[0].event_id, "E1");
  EXPECT_EQ(events[0].type, "visit");
  ASSERT_EQ(events[0].props_end - events[0].props_begin, 2u);
  EXPECT_EQ(props[events[0].props_begin].key, 0u);
  EXPECT_EQ(props[events[0].props_begin].value, "/pricing");
  EXPECT_EQ(props[events[0].props_begin + 1].key, 3u);
  EXPECT_EQ(props[events[0].props_begin + 1].value, "google");
  EXPECT_EQ(events[1].seq, 300'000'000);
  EXPECT_EQ(events[1].occurred_at, -5);
  EXPECT_EQ(events[1].event_id, "");
  EXPECT_EQ(events[1].type, "Form Submit");
  EXPECT_EQ(events[1].props_begin, events[1].props_end);

  // A second block appends to the same vectors.
  ASSERT_TRUE(DecodeBlock(blob, events, props).ok());
  EXPECT_EQ(events.size(), 4u);
  EXPECT_EQ(props.size(), 4u);
}

TEST(EventBlocks, ADamagedBlockIsAnErrorNotAnOverrun) {
  BlockWriter w;
  std::vector<StoredProp> p = {{1, "some value"}};
  w.Add({.seq = 1, .occurred_at = 10, .event_id = "E1", .type = "visit"}, p);
  std::string blob = w.Finish();
  for (size_t cut = 2; cut < blob.size(); ++cut) {  // 1 byte: the format, no events
    std::vector<StoredEvent> events;
    std::vector<StoredProp> props;
    Status s = DecodeBlock(std::string_view(blob).substr(0, cut), events, props);
    EXPECT_FALSE(s.ok()) << "cut at " << cut;
    EXPECT_NE(s.message().find("damaged"), std::string::npos) << s.message();
  }
  std::vector<StoredEvent> events;
  std::vector<StoredProp> props;
  Status s = DecodeBlock(std::string("\x02", 1), events, props);
  EXPECT_NE(s.message().find("format 2"), std::string::npos) << s.message();
}

TEST(EventBlocks, IdBucketsRoundTripAndTheHashNeverChanges) {
  // Stored on disk: these values must stay what they are.
  EXPECT_EQ(EventIdHash(""), 0xefd01f60ba992926ULL);
  EXPECT_EQ(EventIdHash("E0000000001"), EventIdHash("E0000000001"));
  EXPECT_NE(EventIdHash("E0000000001"), EventIdHash("E0000000002"));
  EXPECT_NE(BucketOf(EventIdHash("E0000000001")), BucketOf(EventIdHash("E0000000002")));

  std::vector<IdEntry> entries = {{1, "L1"}, {0xffff'0000'0000'0001ULL, "a longer lead id"}};
  std::string blob = EncodeIdBucket(entries);
  std::vector<IdEntry> back;
  ASSERT_TRUE(DecodeIdBucket(blob, back).ok());
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].hash, 1u);
  EXPECT_EQ(back[0].lead_id, "L1");
  EXPECT_EQ(back[1].hash, 0xffff'0000'0000'0001ULL);
  EXPECT_EQ(back[1].lead_id, "a longer lead id");
  back.clear();
  EXPECT_FALSE(DecodeIdBucket(std::string_view(blob).substr(0, blob.size() - 1), back).ok());
}

TEST(EventBlocks, StagedEventsReadBackInSequence) {
  const std::string long_value(300, 'v');
  std::vector<StoredProp> props = {{2, "/pricing"}, {200, long_value}};
  size_t a = StagedSize("E1", "visit", props);
  size_t b = StagedSize("", "form", {});
  std::string bytes(a + b, '\0');
  char* end = StageEvent(bytes.data(), 7, -42, "E1", "visit", props);
  EXPECT_EQ(static_cast<size_t>(end - bytes.data()), a);
  end = StageEvent(end, 4'000'000'000u, 1'700'000'000'000'000, "", "form", {});
  EXPECT_EQ(static_cast<size_t>(end - bytes.data()), a + b);

  std::vector<StoredProp> back;
  uint32_t row = 0;
  StoredEvent e;
  const char* p = ReadStaged(bytes.data(), row, e, back);
  EXPECT_EQ(row, 7u);
  EXPECT_EQ(e.occurred_at, -42);
  EXPECT_EQ(e.event_id, "E1");
  EXPECT_EQ(e.type, "visit");
  ASSERT_EQ(e.props_end - e.props_begin, 2u);
  EXPECT_EQ(back[1].key, 200u);
  EXPECT_EQ(back[1].value.size(), 300u);
  p = ReadStaged(p, row, e, back);
  EXPECT_EQ(row, 4'000'000'000u);
  EXPECT_EQ(e.occurred_at, 1'700'000'000'000'000);
  EXPECT_EQ(e.event_id, "");
  EXPECT_EQ(e.type, "form");
  EXPECT_EQ(e.props_begin, e.props_end);
  EXPECT_EQ(p, bytes.data() + bytes.size());
}

TEST(EventBlocks, TheIdentityOfAnEventWithoutIdIgnoresCaseAndSpace) {
  EXPECT_EQ(TypeKey("  Page View "), "page view");
  EXPECT_EQ(TypeKey("page view"), "page view");
}

}  // namespace
}  // namespace leadq::store::blocks
