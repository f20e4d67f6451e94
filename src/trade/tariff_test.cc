#include "trade/tariff.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/csv.h"

namespace leadq::trade {
namespace {

namespace fs = std::filesystem;

const fs::path kShared = LEADQ_SHARED_DIR;
const fs::path kSource = LEADQ_SOURCE_DIR;

// A tariff file as the model hands it over: bytes read, the name as written in the model.
model::TariffFile TariffFileAt(const fs::path& path, std::string written,
                               std::string destination = "") {
  model::TariffFile file;
  file.file = path.string();
  file.written = std::move(written);
  file.destination = std::move(destination);
  Result<MappedFile> mapped = MappedFile::Open(path);
  EXPECT_TRUE(mapped.ok()) << mapped.status().message();
  if (mapped.ok()) file.content = std::string(mapped->bytes());
  return file;
}

model::TariffFile TariffText(std::string written, std::string content,
                             std::string destination = "") {
  model::TariffFile file;
  file.file = "/models/" + written;
  file.written = std::move(written);
  file.content = std::move(content);
  file.destination = std::move(destination);
  return file;
}

DutyRate Rate(std::string_view text) {
  Result<DutyRate> rate = ParseDutyRate(text);
  EXPECT_TRUE(rate.ok()) << rate.status().message();
  return rate.ok() ? *rate : DutyRate{};
}

TEST(ParseDutyRate, TheFormsOfTheSchedule) {
  EXPECT_EQ(Rate("Free"), (DutyRate{true, 0, 0, "", "", "Free"}));
  EXPECT_EQ(Rate(" free "), (DutyRate{true, 0, 0, "", "", "free"}));
  // 5.5% -> 0.055
  EXPECT_EQ(Rate("5.5%"), (DutyRate{false, 0.055, 0, "", "", "5.5%"}));
  // 0.5¢/kg = 0.005 USD per kg
  EXPECT_EQ(Rate("0.5¢/kg"), (DutyRate{false, 0, 0.005, "kg", "USD", "0.5¢/kg"}));
  // 15.4¢/kg + 53.5%: 0.154 USD per kg and 53.5% of the customs value
  EXPECT_EQ(Rate("15.4¢/kg + 53.5%"),
            (DutyRate{false, 0.535, 0.154, "kg", "USD", "15.4¢/kg + 53.5%"}));
  EXPECT_EQ(Rate("15.4¢/kg +73%"), (DutyRate{false, 0.73, 0.154, "kg", "USD", "15.4¢/kg +73%"}));
  EXPECT_EQ(Rate("$1.20/kg"), (DutyRate{false, 0, 1.2, "kg", "USD", "$1.20/kg"}));
  EXPECT_EQ(Rate("3.9¢/No."), (DutyRate{false, 0, 0.039, "unit", "USD", "3.9¢/No."}));
  EXPECT_EQ(Rate("$0.50/each"), (DutyRate{false, 0, 0.5, "unit", "USD", "$0.50/each"}));
  EXPECT_EQ(Rate("2% + 1.5 eur/unit"),
            (DutyRate{false, 0.02, 1.5, "unit", "EUR", "2% + 1.5 eur/unit"}));
  EXPECT_TRUE(Rate("0%").free);  // nothing to pay
}

TEST(ParseDutyRate, RefusesWhatItCannotReadNamingIt) {
  auto message = [](std::string_view text) { return ParseDutyRate(text).status().message(); };
  EXPECT_EQ(message("5,5 %"),
            "cannot read the rate \"5,5 %\": \"5,5\" is not a percentage "
            "(write 5.5%)");
  EXPECT_EQ(message("4.4¢/liter"),
            "cannot read the rate \"4.4¢/liter\": per \"liter\" is not "
            "supported: only per kg and per unit of product (No., each, "
            "unit)");
  EXPECT_EQ(message(""), "cannot read the rate \"\": the rate is empty");
  EXPECT_EQ(message("1.5/kg"),
            "cannot read the rate \"1.5/kg\": \"1.5\" names no currency "
            "(write 0.5¢/kg, $1.20/kg or 1.20 EUR/kg)");
  EXPECT_EQ(message("5% + 3%"), "cannot read the rate \"5% + 3%\": it has two ad valorem parts");
  EXPECT_EQ(message("5% +"), "cannot read the rate \"5% +\": a part is missing around \"+\"");
  EXPECT_FALSE(ParseDutyRate("5% on the value of the sugar").ok());
  EXPECT_FALSE(ParseDutyRate("-5%").ok());
  EXPECT_FALSE(ParseDutyRate("Free + 5%").ok());
}

TEST(FormatDutyRate, WritesTheScheduleStyleBack) {
  EXPECT_EQ(FormatDutyRate(Rate("15.4¢/kg + 53.5%")), "15.4¢/kg + 53.5%");
  EXPECT_EQ(FormatDutyRate(Rate("$1.20/kg")), "$1.2/kg");
  EXPECT_EQ(FormatDutyRate(Rate("Free")), "Free");
  EXPECT_EQ(FormatDutyRate(Rate("1.5 EUR/unit + 16%")), "1.5 EUR/unit + 16%");
  EXPECT_EQ(FormatPercent(0.003464), "0.3464%");
}

TEST(TariffTable, ReadsTheUsHtsExport) {
  const fs::path path = kShared / "data/trade/tariffs/us-hts-excerpt.csv";
  if (!fs::exists(path)) GTEST_SKIP() << path << " is not here";
  model::TariffFile file = TariffFileAt(path, "us-hts-excerpt.csv", "US");
  auto table = TariffTable::Load({&file, 1});
  ASSERT_TRUE(table.ok()) << table.status().message();
  // 13 rows, of which 2905.39 and 2906 are headings without a general rate.
  EXPECT_EQ(table->size(), 11u);

  const TariffLine* butylene = table->Find("US", "2905391000");
  ASSERT_NE(butylene, nullptr);
  EXPECT_EQ(butylene->rate.ad_valorem, 0.055);
  EXPECT_EQ(butylene->hs_prefix, "2905391000");
  EXPECT_EQ(butylene->source, "us-hts-excerpt.csv:3");
  EXPECT_EQ(butylene->destination, "US");

  const TariffLine* glycerol = table->Find("us", "2905450000");
  ASSERT_NE(glycerol, nullptr);
  EXPECT_EQ(glycerol->rate, (DutyRate{false, 0, 0.005, "kg", "USD", "0.5¢/kg"}));
  EXPECT_EQ(glycerol->description,
            "Acyclic alcohols and their halogenated, sulfonated, nitrated or nitrosated "
            "derivatives > Other polyhydric alcohols > Glycerol");
  EXPECT_TRUE(table->Find("US", "2905396000")->rate.free);

  EXPECT_EQ(table->Find("US", "290539"), nullptr);    // a heading: no rate of its own
  EXPECT_EQ(table->Find("US", "29053910"), nullptr);  // shorter than the 10-digit line
  EXPECT_EQ(table->Find("MX", "2905391000"), nullptr);
  std::vector<const TariffLine*> under = table->Under("US", "290539");
  ASSERT_EQ(under.size(), 2u);
  EXPECT_EQ(under[0]->hs_prefix, "2905391000");
  EXPECT_EQ(under[1]->hs_prefix, "2905396000");
}

TEST(TariffTable, ReadsTheExampleModelsTariffs) {
  const fs::path dir = kSource / "examples/models/tariffs";
  std::vector<model::TariffFile> files = {
      TariffFileAt(dir / "us-hts-8708.csv", "tariffs/us-hts-8708.csv", "US"),
      TariffFileAt(dir / "duties.csv", "tariffs/duties.csv")};
  auto table = TariffTable::Load(files);
  ASSERT_TRUE(table.ok()) << table.status().message();
  EXPECT_EQ(table->size(), 8u);  // 5 US lines (8708 is a heading) + 3 of duties.csv

  // A brake disc declared 8708.30.50.20 falls under the 8-digit line 8708.30.50: 2.5%.
  const TariffLine* us = table->Find("US", "8708305020");
  ASSERT_NE(us, nullptr);
  EXPECT_EQ(us->hs_prefix, "87083050");
  EXPECT_EQ(us->rate.ad_valorem, 0.025);
  EXPECT_EQ(us->source, "tariffs/us-hts-8708.csv:4");
  // The 6-digit product code 8708.30 has two US lines under it that disagree.
  std::vector<const TariffLine*> under = table->Under("US", "870830");
  ASSERT_EQ(under.size(), 2u);
  EXPECT_TRUE(under[0]->rate.free);        // 8708.30.10.00, for tractors
  EXPECT_EQ(under[1]->rate.text, "2.5%");  // 8708.30.50, other

  // duties.csv: 8708 BR 18% and the longer 8708.30 BR 16%.
  EXPECT_EQ(table->Find("BR", "870830")->rate.ad_valorem, 0.16);
  EXPECT_EQ(table->Find("BR", "870830")->rate.text, "16%");
  EXPECT_EQ(table->Find("BR", "870830")->description, "brakes");
  EXPECT_EQ(table->Find("BR", "870899")->rate.ad_valorem, 0.18);
  EXPECT_EQ(table->Find("BR", "870899")->source, "tariffs/duties.csv:2");
  EXPECT_TRUE(table->Find("MX", "870880")->rate.free);  // 0%
  EXPECT_EQ(table->Find("PL", "870880"), nullptr);
}

TEST(TariffTable, LeadqLayoutWithSpecificRates) {
  std::vector<model::TariffFile> files = {
      TariffText("duties.csv",
                 "Destination,HS prefix,Ad valorem pct,Specific per unit,Unit,Currency,Note\n"
                 "BR,8708.30,16,1.5,unit,eur,per piece\n"
                 "FR,8708,4.5,,,,\n"
                 "JP,8708 30,,0.12,kg,,\n")};
  auto table = TariffTable::Load(files);
  ASSERT_TRUE(table.ok()) << table.status().message();
  EXPECT_EQ(table->Find("BR", "870830")->rate,
            (DutyRate{false, 0.16, 1.5, "unit", "EUR", "1.5 EUR/unit + 16%"}));
  EXPECT_EQ(table->Find("BR", "870830")->description, "per piece");
  // No currency: the destination's own (JPY), per kg by default.
  EXPECT_EQ(table->Find("JP", "87083050")->rate, (DutyRate{false, 0, 0.12, "kg", "", "0.12/kg"}));
  EXPECT_EQ(table->Find("FR", "870830")->rate.ad_valorem, 0.045);
}

TEST(TariffTable, CollectsEveryErrorWithFileLineAndString) {
  std::vector<model::TariffFile> files = {
      TariffText("tariffs/duties.csv",
                 "hts_code,description,general_rate\n"
                 "8708,Parts,\n"
                 "8708.30.50,Brakes,2.5%\n"
                 "8708.80.65,Suspension,\"5,5 %\"\n"
                 "8,Too short,Free\n",
                 "US"),
      TariffText("tariffs/mine.csv",
                 "hs_prefix,destination,ad_valorem_pct,specific_per_unit,unit\n"
                 "8708,BR,18%,,\n"
                 "8708,br,16,,\n"
                 "8708.30,BR,lots,,\n"
                 "8708.30,,16,,\n"
                 "8708.80,BR,,2,litre\n"),
      TariffText("tariffs/us.csv", "hts_code,general_rate\n8708.30.50,2.5%\n"),
      TariffText("tariffs/other.csv", "code,rate\n8708,5%\n")};
  files[2].pos = {25, 3};
  auto table = TariffTable::Load(files);
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().message(),
            "tariffs/duties.csv:4: cannot read the rate \"5,5 %\" in general_rate: \"5,5\" is "
            "not a percentage (write 5.5%)\n"
            "tariffs/duties.csv:5: the HS code \"8\" in hts_code is not 2 to 10 digits\n"
            "tariffs/mine.csv:3: 8708 into BR is already given at tariffs/mine.csv:2\n"
            "tariffs/mine.csv:4: cannot read the rate \"lots\" in ad_valorem_pct: not a "
            "percentage (write 18 for 18%)\n"
            "tariffs/mine.csv:5: destination is empty\n"
            "tariffs/mine.csv:6: the unit \"litre\" is not kg or unit\n"
            "tariffs/us.csv: the US HTS layout has no destination column; say which country "
            "its rates are for: { file = \"tariffs/us.csv\", destination = \"US\" } (model line "
            "25, column 3)\n"
            "tariffs/other.csv:1: not a tariff layout leadq reads: expected the US HTS export "
            "(hts_code, ..., general_rate) or hs_prefix,destination,ad_valorem_pct,"
            "specific_per_unit");
}

TEST(TariffTable, EmptyWhenTheModelNamesNoFile) {
  auto table = TariffTable::Load({});
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->size(), 0u);
  EXPECT_EQ(table->Find("US", "870830"), nullptr);
}

}  // namespace
}  // namespace leadq::trade
