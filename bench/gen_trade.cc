// leadq_bench_trade_gen: writes a large CSV of customs (bill-of-lading) records, in the columns
// of ../shared/spec/SHIPMENTS.md, for benchmarks of the trade screening and entity resolution.
//
//   leadq_bench_trade_gen --rows N --spellings M --out FILE [--seed S]
//
// About M distinct consignee spellings: M/3 buyers, each written three ways (the company's own
// form with its legal suffix, upper case with a manifest's legal suffix, upper case bare or
// with a typo), spread over 40 countries. Rows fall on buyers with a skew (a few import a lot),
// on 43 suppliers in 17 countries (each spelled three ways), on 20 HS codes (8708.30, .80 and
// .99 are the example model's products; 8708.40/.50/.70, tyres, filters, lamps, bearings and
// engine parts are not) and on the three years before 2026-11-01, in no particular order.
// US rows carry no country of origin and no value; BR, MX, AR, CL, CO and PE rows carry a
// declared value. Deterministic for a seed (its own generator, not <random>'s distributions).
// Prints rows, buyers, MB and seconds. One buffer, no allocation per row: 5,000,000 rows (about
// 1.1 GB) take about 3 s of CPU in an -O2 build, plus the disk (11 s in all on the dev machine).
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "core/time.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: leadq_bench_trade_gen --rows N --spellings M --out FILE [--seed S]\n");
  return 2;
}

// xoshiro256**, seeded by splitmix64: the same stream on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& s : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      s = z ^ (z >> 31);
    }
  }
  uint64_t Next() {
    uint64_t result = Rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n) for n < 2^32, by multiply-shift (no division).
  uint64_t Below(uint64_t n) { return ((Next() >> 32) * n) >> 32; }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// Output through one large buffer.
class Writer {
 public:
  explicit Writer(std::FILE* f) : f_(f), buf_(kSize) {}
  void Put(std::string_view s) {
    std::memcpy(buf_.data() + len_, s.data(), s.size());
    len_ += s.size();
  }
  void Put(char c) { buf_[len_++] = c; }
  void Int(uint64_t v) {
    len_ = static_cast<size_t>(std::to_chars(buf_.data() + len_, buf_.data() + len_ + 24, v).ptr -
                               buf_.data());
  }
  // Cents as "1234.56".
  void Money(uint64_t cents) {
    Int(cents / 100);
    Put('.');
    Put(static_cast<char>('0' + cents / 10 % 10));
    Put(static_cast<char>('0' + cents % 10));
  }
  // Call once a row: flushes when less than a generous row's worth of space is left.
  void MaybeFlush() {
    if (len_ > kSize - 8192) Flush();
  }
  void Flush() {
    bytes_ += std::fwrite(buf_.data(), 1, len_, f_);
    len_ = 0;
  }
  uint64_t bytes() const { return bytes_; }

 private:
  static constexpr size_t kSize = 8 << 20;
  std::FILE* f_;
  std::vector<char> buf_;
  size_t len_ = 0;
  uint64_t bytes_ = 0;
};

// A field as it appears in the file: quoted when it must be.
std::string CsvField(std::string_view s) {
  std::string out;
  leadq::AppendCsvField(out, s);
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return out;
}

struct Country {
  const char* code;
  const char* legal;        // the company's own suffix
  const char* legal_upper;  // a manifest's
  const char* cities[3];
  const char* ports[2];  // of unlading
  const char* notify[3];
  bool declares_value;
  int weight;  // share of buyers
};

constexpr Country kCountries[] = {
    {"US",
     ", Inc.",
     " INC",
     {"Chicago", "Houston", "Atlanta"},
     {"NEWARK, NJ", "LONG BEACH, CA"},
     {"EXPEDITORS INTERNATIONAL", "C.H. ROBINSON WORLDWIDE, INC.", "LIVINGSTON INTERNATIONAL INC"},
     false,
     30},
    {"CA",
     " Ltd.",
     " LTD",
     {"Toronto", "Montreal", "Calgary"},
     {"MONTREAL", "VANCOUVER"},
     {"LIVINGSTON INTERNATIONAL", "DHL GLOBAL FORWARDING CANADA", "KUEHNE + NAGEL LTD"},
     false,
     4},
    {"MX",
     " S.A. de C.V.",
     " SA DE CV",
     {"Monterrey", "Guadalajara", "Puebla"},
     {"MANZANILLO", "VERACRUZ"},
     {"AGENCIA ADUANAL GARZA HERMANOS S.C.", "DHL GLOBAL FORWARDING MEXICO",
      "KUEHNE + NAGEL SA DE CV"},
     true,
     8},
    {"BR",
     " Ltda",
     " LTDA",
     {"Sao Paulo", "Curitiba", "Campinas"},
     {"SANTOS", "PARANAGUA"},
     {"COMISSARIA DE DESPACHOS SANTISTA LTDA", "DHL GLOBAL FORWARDING (BRAZIL) LOGISTICS LTDA",
      "EXPEDITORS INTERNATIONAL DO BRASIL LTDA"},
     true,
     8},
    {"AR",
     " S.R.L.",
     " SRL",
     {"Buenos Aires", "Cordoba", "Rosario"},
     {"BUENOS AIRES", "ZARATE"},
     {"DESPACHANTE DE ADUANA GOMEZ", "DHL GLOBAL FORWARDING ARGENTINA", "KUEHNE + NAGEL SA"},
     true,
     2},
    {"CL",
     " SpA",
     " SPA",
     {"Santiago", "Valparaiso", "Concepcion"},
     {"SAN ANTONIO", "VALPARAISO"},
     {"AGENCIA DE ADUANAS PACIFICO", "DHL GLOBAL FORWARDING CHILE", "KUEHNE + NAGEL LTDA"},
     true,
     2},
    {"CO",
     " S.A.S.",
     " SAS",
     {"Bogota", "Medellin", "Cali"},
     {"CARTAGENA", "BUENAVENTURA"},
     {"AGENCIA DE ADUANAS CARIBE", "DHL GLOBAL FORWARDING COLOMBIA", "EXPEDITORS COLOMBIA"},
     true,
     2},
    {"PE",
     " S.A.C.",
     " SAC",
     {"Lima", "Arequipa", "Trujillo"},
     {"CALLAO", "PAITA"},
     {"AGENCIA DE ADUANAS LIMA", "DHL GLOBAL FORWARDING PERU", "KUEHNE + NAGEL PERU"},
     true,
     1},
    {"EC",
     " S.A.",
     " SA",
     {"Guayaquil", "Quito", "Cuenca"},
     {"GUAYAQUIL", "MANTA"},
     {"AGENCIA ADUANERA GUAYAS", "DHL GLOBAL FORWARDING ECUADOR", ""},
     false,
     1},
    {"UY",
     " S.A.",
     " SA",
     {"Montevideo", "Salto", "Paysandu"},
     {"MONTEVIDEO", "MONTEVIDEO"},
     {"DESPACHANTE MONTEVIDEO", "DHL GLOBAL FORWARDING URUGUAY", ""},
     false,
     1},
    {"GB",
     " Ltd",
     " LTD",
     {"Birmingham", "Leeds", "Coventry"},
     {"FELIXSTOWE", "SOUTHAMPTON"},
     {"DHL GLOBAL FORWARDING (UK) LTD", "KUEHNE + NAGEL LTD", "EXPEDITORS INTERNATIONAL (UK) LTD"},
     false,
     3},
    {"IE",
     " Ltd",
     " LTD",
     {"Dublin", "Cork", "Galway"},
     {"DUBLIN", "CORK"},
     {"DHL GLOBAL FORWARDING IRELAND", "KUEHNE + NAGEL IRELAND", ""},
     false,
     1},
    {"FR",
     " SAS",
     " SAS",
     {"Lyon", "Lille", "Toulouse"},
     {"LE HAVRE", "MARSEILLE"},
     {"DHL GLOBAL FORWARDING FRANCE", "KUEHNE + NAGEL SAS", "GEODIS"},
     false,
     3},
    {"ES",
     " S.L.",
     " SL",
     {"Madrid", "Barcelona", "Zaragoza"},
     {"VALENCIA", "ALGECIRAS"},
     {"DHL GLOBAL FORWARDING SPAIN", "KUEHNE + NAGEL SA", "TRANSITARIOS VALENCIA SL"},
     false,
     2},
    {"PT",
     " Lda",
     " LDA",
     {"Porto", "Lisboa", "Braga"},
     {"LEIXOES", "SINES"},
     {"DHL GLOBAL FORWARDING PORTUGAL", "KUEHNE + NAGEL LDA", ""},
     false,
     1},
    {"IT",
     " S.r.l.",
     " SRL",
     {"Milano", "Torino", "Bologna"},
     {"GENOA", "LA SPEZIA"},
     {"DHL GLOBAL FORWARDING ITALY", "KUEHNE + NAGEL SRL", "SPEDIZIONI GENOVA SRL"},
     false,
     2},
    {"NL",
     " B.V.",
     " BV",
     {"Rotterdam", "Eindhoven", "Utrecht"},
     {"ROTTERDAM", "ROTTERDAM"},
     {"DHL GLOBAL FORWARDING NETHERLANDS", "KUEHNE + NAGEL BV", ""},
     false,
     2},
    {"BE",
     " NV",
     " NV",
     {"Antwerpen", "Gent", "Liege"},
     {"ANTWERP", "ZEEBRUGGE"},
     {"DHL GLOBAL FORWARDING BELGIUM", "KUEHNE + NAGEL NV", ""},
     false,
     1},
    {"PL",
     " Sp. z o.o.",
     " SP Z O O",
     {"Warszawa", "Krakow", "Poznan"},
     {"GDANSK", "GDYNIA"},
     {"AGENCJA CELNA BALTIC SP. Z O.O.", "DHL GLOBAL FORWARDING POLSKA",
      "KUEHNE + NAGEL SP. Z O.O."},
     false,
     6},
    {"CZ",
     " s.r.o.",
     " SRO",
     {"Praha", "Brno", "Ostrava"},
     {"HAMBURG", "KOPER"},
     {"DHL GLOBAL FORWARDING CZ", "KUEHNE + NAGEL SRO", ""},
     false,
     1},
    {"SK",
     " s.r.o.",
     " SRO",
     {"Bratislava", "Kosice", "Zilina"},
     {"KOPER", "HAMBURG"},
     {"DHL GLOBAL FORWARDING SLOVAKIA", "", ""},
     false,
     1},
    {"HU",
     " Kft.",
     " KFT",
     {"Budapest", "Gyor", "Debrecen"},
     {"KOPER", "TRIESTE"},
     {"DHL GLOBAL FORWARDING HUNGARY", "KUEHNE + NAGEL KFT", ""},
     false,
     1},
    {"RO",
     " S.R.L.",
     " SRL",
     {"Bucuresti", "Cluj", "Timisoara"},
     {"CONSTANTA", "CONSTANTA"},
     {"DHL GLOBAL FORWARDING ROMANIA", "", ""},
     false,
     1},
    {"BG",
     " EOOD",
     " EOOD",
     {"Sofia", "Plovdiv", "Varna"},
     {"VARNA", "BURGAS"},
     {"DHL GLOBAL FORWARDING BULGARIA", "", ""},
     false,
     1},
    {"GR",
     " S.A.",
     " SA",
     {"Athens", "Thessaloniki", "Patras"},
     {"PIRAEUS", "THESSALONIKI"},
     {"DHL GLOBAL FORWARDING HELLAS", "", ""},
     false,
     1},
    {"TR",
     " A.S.",
     " AS",
     {"Istanbul", "Bursa", "Izmir"},
     {"MERSIN", "AMBARLI"},
     {"DHL GLOBAL FORWARDING TURKEY", "KUEHNE + NAGEL NAKLIYAT", ""},
     false,
     3},
    {"SE",
     " AB",
     " AB",
     {"Goteborg", "Stockholm", "Malmo"},
     {"GOTHENBURG", "GOTHENBURG"},
     {"DHL GLOBAL FORWARDING SWEDEN", "KUEHNE + NAGEL AB", ""},
     false,
     1},
    {"NO",
     " AS",
     " AS",
     {"Oslo", "Bergen", "Trondheim"},
     {"OSLO", "BERGEN"},
     {"DHL GLOBAL FORWARDING NORWAY", "", ""},
     false,
     1},
    {"FI",
     " Oy",
     " OY",
     {"Helsinki", "Tampere", "Turku"},
     {"HELSINKI", "KOTKA"},
     {"DHL GLOBAL FORWARDING FINLAND", "", ""},
     false,
     1},
    {"DK",
     " A/S",
     " AS",
     {"Kobenhavn", "Aarhus", "Odense"},
     {"AARHUS", "COPENHAGEN"},
     {"DHL GLOBAL FORWARDING DENMARK", "", ""},
     false,
     1},
    {"AT",
     " GmbH",
     " GMBH",
     {"Wien", "Graz", "Linz"},
     {"KOPER", "HAMBURG"},
     {"DHL GLOBAL FORWARDING AUSTRIA", "GEBRUEDER WEISS GMBH", ""},
     false,
     1},
    {"CH",
     " AG",
     " AG",
     {"Zurich", "Basel", "Bern"},
     {"BASEL", "BASEL"},
     {"DHL GLOBAL FORWARDING SWITZERLAND", "KUEHNE + NAGEL AG", ""},
     false,
     1},
    {"ZA",
     " (Pty) Ltd",
     " PTY LTD",
     {"Johannesburg", "Durban", "Pretoria"},
     {"DURBAN", "CAPE TOWN"},
     {"DHL GLOBAL FORWARDING SA", "KUEHNE + NAGEL (PTY) LTD", ""},
     false,
     2},
    {"EG",
     " S.A.E.",
     " SAE",
     {"Cairo", "Alexandria", "Giza"},
     {"ALEXANDRIA", "PORT SAID"},
     {"DHL GLOBAL FORWARDING EGYPT", "", ""},
     false,
     1},
    {"MA",
     " SARL",
     " SARL",
     {"Casablanca", "Tanger", "Rabat"},
     {"TANGER MED", "CASABLANCA"},
     {"DHL GLOBAL FORWARDING MAROC", "", ""},
     false,
     1},
    {"NG",
     " Ltd",
     " LTD",
     {"Lagos", "Kano", "Abuja"},
     {"LAGOS", "LAGOS"},
     {"DHL GLOBAL FORWARDING NIGERIA", "", ""},
     false,
     1},
    {"SA",
     " Co. Ltd.",
     " CO LTD",
     {"Riyadh", "Jeddah", "Dammam"},
     {"JEDDAH", "DAMMAM"},
     {"DHL GLOBAL FORWARDING SAUDI", "", ""},
     false,
     1},
    {"AE",
     " LLC",
     " LLC",
     {"Dubai", "Sharjah", "Abu Dhabi"},
     {"JEBEL ALI", "JEBEL ALI"},
     {"DHL GLOBAL FORWARDING UAE", "KUEHNE + NAGEL LLC", ""},
     false,
     2},
    {"IN",
     " Pvt. Ltd.",
     " PVT LTD",
     {"Mumbai", "Chennai", "Pune"},
     {"NHAVA SHEVA", "CHENNAI"},
     {"DHL GLOBAL FORWARDING INDIA", "EXPEDITORS INDIA", ""},
     false,
     2},
    {"AU",
     " Pty Ltd",
     " PTY LTD",
     {"Melbourne", "Sydney", "Brisbane"},
     {"MELBOURNE", "SYDNEY"},
     {"DHL GLOBAL FORWARDING AUSTRALIA", "KUEHNE + NAGEL PTY LTD", ""},
     false,
     2},
};
constexpr int kCountryCount = static_cast<int>(std::size(kCountries));

constexpr const char* kPlaces[] = {
    "Midwest",  "Atlantic", "Pacific",   "Northern", "Southern", "Eastern",  "Western", "Central",
    "Summit",   "Harbor",   "Valley",    "River",    "Lakeside", "Highland", "Coastal", "Prairie",
    "Granite",  "Cedar",    "Maple",     "Oak",      "Pine",     "Willow",   "Falcon",  "Eagle",
    "Liberty",  "Union",    "Pioneer",   "Frontier", "Keystone", "Capital",  "Metro",   "Royal",
    "Sierra",   "Andes",    "Alpine",    "Baltic",   "Danube",   "Rhine",    "Iberia",  "Aurora",
    "Orion",    "Polaris",  "Vega",      "Atlas",    "Titan",    "Delta",    "Sigma",   "Omega",
    "Victoria", "Santa Fe", "San Marco", "Nova",     "Prime",    "Star",     "Sun",     "Moon",
    "Golden",   "Silver",   "Bronze",    "Iron",     "Steel",    "Crystal",  "Emerald", "Sapphire"};
constexpr const char* kKinds[] = {
    "Auto Parts",        "Brake Supply",    "Motor Parts",    "Parts Distribution",
    "Auto Spares",       "Chassis Parts",   "Automotive",     "Parts Warehouse",
    "Undercar Supply",   "Import Parts",    "Brake Centre",   "Truck Parts",
    "Car Parts",         "Spare Parts",     "Motor Factors",  "Auto Supply",
    "Vehicle Parts",     "Parts Depot",     "Drivetrain",     "Suspension Supply",
    "Friction Products", "Auto Components", "Parts Trading",  "Automotive Supply",
    "Parts Hub",         "Motor Supply",    "Axle Parts",     "Wheel Parts",
    "Bearing Supply",    "Filter Supply",   "Lighting Parts", "Tyre Supply"};
constexpr const char* kExtras[] = {
    "",         " Group",   " Trading",   " Wholesale", " International", " Direct",
    " Express", " Import",  " Export",    " Partners",  " Holding",       " Service",
    " Network", " Systems", " Logistics", " Solutions"};

struct Supplier {
  const char* country;
  const char* names[3];
  const char* port;
};

constexpr Supplier kSuppliers[] = {
    {"DE", {"Robert Bosch GmbH", "ROBERT BOSCH GMBH", "BOSCH GMBH"}, "HAMBURG, GERMANY"},
    {"DE",
     {"ZF Friedrichshafen AG", "ZF FRIEDRICHSHAFEN AG", "ZF LEMFOERDER GMBH"},
     "BREMERHAVEN, GERMANY"},
    {"DE",
     {"Continental Teves AG & Co. oHG", "CONTINENTAL TEVES AG & CO OHG", "CONTI TEVES"},
     "HAMBURG"},
    {"DE",
     {"Ferdinand Bilstein GmbH + Co. KG", "FERDINAND BILSTEIN GMBH CO KG", "FEBI BILSTEIN"},
     "HAMBURG"},
    {"DE", {"MANN+HUMMEL GmbH", "MANN + HUMMEL GMBH", "MANN HUMMEL GMBH"}, "HAMBURG, GERMANY"},
    {"DE",
     {"HELLA GmbH & Co. KGaA", "HELLA GMBH & CO KGAA", "HELLA KGAA HUECK & CO"},
     "BREMERHAVEN"},
    {"DE",
     {"Schaeffler Technologies AG & Co. KG", "SCHAEFFLER TECHNOLOGIES AG CO KG", "SCHAEFFLER"},
     "HAMBURG"},
    {"DE", {"Mahle GmbH", "MAHLE GMBH", "MAHLE"}, "BREMERHAVEN, GERMANY"},
    {"CN",
     {"Ningbo Hengda Auto Parts Co., Ltd.", "NINGBO HENGDA AUTO PARTS CO LTD",
      "NINGBO HENG DA AUTOPARTS CO LTD"},
     "NINGBO, CHINA"},
    {"CN",
     {"Shandong Jinhua Brake Systems Co., Ltd.", "SHANDONG JINHUA BRAKE SYSTEMS CO LTD",
      "SHANDONG JINHUA BRAKE"},
     "SHANGHAI"},
    {"CN",
     {"Zhejiang Ruitai Suspension Co., Ltd.", "ZHEJIANG RUITAI SUSPENSION CO LTD",
      "RUITAI SUSPENSION"},
     "NINGBO"},
    {"CN",
     {"Guangzhou Yuexin Auto Lighting Co., Ltd.", "GUANGZHOU YUEXIN AUTO LIGHTING CO LTD",
      "YUEXIN LIGHTING"},
     "YANTIAN, CHINA"},
    {"CN",
     {"Qingdao Haida Tyre Co., Ltd.", "QINGDAO HAIDA TYRE CO LTD", "QINGDAO HAIDA TIRE"},
     "SHANGHAI, CHINA"},
    {"CN",
     {"Wenzhou Dongfang Auto Parts Co., Ltd.", "WENZHOU DONGFANG AUTO PARTS CO LTD",
      "WENZHOU DONG FANG"},
     "NINGBO"},
    {"CN",
     {"Hangzhou Xinrui Bearing Co., Ltd.", "HANGZHOU XINRUI BEARING CO LTD", "XINRUI BEARING"},
     "SHANGHAI"},
    {"CN",
     {"Xiamen Tongda Filter Co., Ltd.", "XIAMEN TONGDA FILTER CO LTD", "TONGDA FILTER"},
     "YANTIAN"},
    {"CN",
     {"Chongqing Yufeng Axle Co., Ltd.", "CHONGQING YUFENG AXLE CO LTD", "YUFENG AXLE"},
     "SHANGHAI, CHINA"},
    {"CN",
     {"Guangdong Huasheng Auto Parts Co., Ltd.", "GUANGDONG HUASHENG AUTO PARTS CO LTD",
      "HUASHENG AUTO PARTS"},
     "YANTIAN"},
    {"IN",
     {"Pune Precision Autocomp Pvt. Ltd.", "PUNE PRECISION AUTOCOMP PVT LTD",
      "PUNE PRECISION AUTO COMP"},
     "NHAVA SHEVA, INDIA"},
    {"IN",
     {"Chennai Forge & Axle Pvt Ltd", "CHENNAI FORGE & AXLE PVT LTD", "CHENNAI FORGE AND AXLE"},
     "NHAVA SHEVA"},
    {"IN",
     {"Gujarat Friction Linings Ltd.", "GUJARAT FRICTION LININGS LTD", "GUJARAT FRICTION"},
     "NHAVA SHEVA"},
    {"KR", {"Hanil Brake Co., Ltd.", "HANIL BRAKE CO LTD", "HANIL BRAKE"}, "BUSAN, KOREA"},
    {"KR",
     {"Daegu Chassis Tech Co., Ltd.", "DAEGU CHASSIS TECH CO LTD", "DAEGU CHASSISTECH"},
     "BUSAN"},
    {"KR", {"Daejin Tire Co., Ltd.", "DAEJIN TIRE CO LTD", "DAEJIN TYRE"}, "BUSAN"},
    {"JP",
     {"Nagoya Friction Materials K.K.", "NAGOYA FRICTION MATERIALS KK",
      "NAGOYA FRICTION MATERIALS CO LTD"},
     "YOKOHAMA, JAPAN"},
    {"JP",
     {"Kansai Precision Bearings Co., Ltd.", "KANSAI PRECISION BEARINGS CO LTD",
      "KANSAI PREC BEARINGS"},
     "YOKOHAMA"},
    {"JP",
     {"Shizuoka Lamp Works K.K.", "SHIZUOKA LAMP WORKS KK", "SHIZUOKA LAMP WORKS"},
     "YOKOHAMA"},
    {"IT", {"Brembo S.p.A.", "BREMBO SPA", "BREMBO S P A"}, "GENOA, ITALY"},
    {"IT", {"Sospensioni Padane S.r.l.", "SOSPENSIONI PADANE SRL", "SOSPENSIONI PADANE"}, "GENOA"},
    {"IT", {"Filtri Lombardi S.p.A.", "FILTRI LOMBARDI SPA", "FILTRI LOMBARDI"}, "GENOA"},
    {"ES",
     {"Industrias Frenos Levante S.L.", "INDUSTRIAS FRENOS LEVANTE SL", "IND FRENOS LEVANTE"},
     "VALENCIA, SPAIN"},
    {"ES", {"Componentes Ebro S.A.", "COMPONENTES EBRO SA", "COMPONENTES EBRO"}, "VALENCIA"},
    {"US",
     {"Ohio Driveline Components Inc.", "OHIO DRIVELINE COMPONENTS INC", "OHIO DRIVELINE"},
     "NEW YORK"},
    {"US",
     {"Great Plains Bearing Corp.", "GREAT PLAINS BEARING CORP", "GREAT PLAINS BEARING"},
     "HOUSTON"},
    {"TR", {"Bursa Fren Sistemleri A.S.", "BURSA FREN SISTEMLERI AS", "BURSA FREN"}, "GEMLIK"},
    {"TW",
     {"Taichung Lamp Industrial Co., Ltd.", "TAICHUNG LAMP INDUSTRIAL CO LTD", "TAICHUNG LAMP"},
     "KAOHSIUNG"},
    {"TH",
     {"Rayong Auto Parts Co., Ltd.", "RAYONG AUTO PARTS CO LTD", "RAYONG AUTOPARTS"},
     "LAEM CHABANG"},
    {"VN",
     {"Haiphong Mechanical Parts JSC", "HAIPHONG MECHANICAL PARTS JSC", "HAIPHONG MECHANICAL"},
     "HAIPHONG"},
    {"MX",
     {"Suspensiones del Bajio S.A. de C.V.", "SUSPENSIONES DEL BAJIO SA DE CV",
      "SUSPENSIONES BAJIO"},
     "VERACRUZ, MEXICO"},
    {"BR",
     {"Freios Paulista Industria Ltda", "FREIOS PAULISTA INDUSTRIA LTDA", "FREIOS PAULISTA"},
     "SANTOS, BRAZIL"},
    {"PL",
     {"Gdansk Auto Components Sp. z o.o.", "GDANSK AUTO COMPONENTS SP Z O O",
      "GDANSK AUTO COMPONENTS"},
     "GDANSK, POLAND"},
    {"CZ", {"Moravske Brzdy s.r.o.", "MORAVSKE BRZDY SRO", "MORAVSKE BRZDY"}, "HAMBURG"},
    {"FR",
     {"Freinage Rhone-Alpes SAS", "FREINAGE RHONE ALPES SAS", "FREINAGE RHONE-ALPES"},
     "LE HAVRE, FRANCE"},
};
constexpr int kSupplierCount = static_cast<int>(std::size(kSuppliers));

struct Hs {
  const char* code;
  const char* description;
  uint32_t kg_lo, kg_span;  // weight of a line
  uint32_t grams_per_unit;  // for quantity
  uint32_t cents_per_kg_lo, cents_per_kg_span;
};

constexpr Hs kHs[] = {
    {"8708.30", "BRAKE DISCS", 2000, 14000, 9000, 350, 850},
    {"8708.30.50", "DISC BRAKE PADS", 1000, 8000, 1200, 400, 900},
    {"870830", "BRAKE CALIPERS", 1500, 9000, 4000, 600, 800},
    {"8708.80", "SHOCK ABSORBERS", 2000, 10000, 4500, 800, 1400},
    {"8708.80.65", "CONTROL ARMS", 1500, 9000, 3000, 700, 1200},
    {"870880", "SUSPENSION STRUTS", 2000, 10000, 5000, 900, 1300},
    {"8708.99", "AUTO PARTS", 1000, 8000, 1600, 1000, 1500},
    {"8708.99.81", "WHEEL HUB BEARING UNITS", 1500, 8000, 2500, 900, 1200},
    {"870899", "CV JOINTS", 1500, 8000, 2200, 900, 1300},
    {"8708.40", "GEARBOXES AND PARTS", 3000, 12000, 30000, 800, 1200},
    {"8708.50", "DRIVE AXLES", 4000, 14000, 40000, 600, 900},
    {"8708.70", "ROAD WHEELS", 4000, 14000, 10000, 300, 500},
    {"4011.10", "PASSENGER CAR TYRES", 8000, 14000, 9000, 300, 200},
    {"4011.20", "TRUCK TYRES", 10000, 12000, 55000, 280, 200},
    {"8421.23", "OIL FILTERS", 1000, 5000, 500, 400, 400},
    {"8421.31", "AIR FILTERS", 1000, 5000, 600, 350, 400},
    {"8512.20", "HEADLAMPS", 800, 4000, 2000, 1200, 1800},
    {"8482.10", "BALL BEARINGS", 1000, 8000, 300, 800, 1000},
    {"8483.10", "TRANSMISSION SHAFTS", 2000, 8000, 8000, 600, 800},
    {"8409.91", "ENGINE PARTS", 1000, 6000, 2000, 900, 1200},
};
constexpr int kHsCount = static_cast<int>(std::size(kHs));

constexpr const char* kCarriers[][2] = {
    {"MAERSK", "MAEU"},         {"MSC", "MEDU"}, {"CMA CGM", "CMDU"},   {"HAPAG-LLOYD", "HLCU"},
    {"COSCO SHIPPING", "COSU"}, {"ONE", "ONEY"}, {"EVERGREEN", "EGLV"}, {"HMM", "HDMU"}};

// One buyer's fixed text, with each field already CSV-escaped and its trailing comma.
struct Buyer {
  std::string spellings[3];  // "name,"
  std::string place;         // "address,city,country,"
  const Country* country;
  uint8_t port;
  uint8_t broker;
};

std::vector<Buyer> MakeBuyers(uint64_t count, Rng& rng) {
  int total = 0;
  for (const Country& c : kCountries) total += c.weight;
  constexpr uint64_t kPlaceCount = std::size(kPlaces), kKindCount = std::size(kKinds),
                     kExtraCount = std::size(kExtras);
  std::vector<Buyer> buyers(count);
  for (uint64_t i = 0; i < count; ++i) {
    Buyer& b = buyers[i];
    int roll = static_cast<int>(rng.Below(static_cast<uint64_t>(total)));
    int c = 0;
    while (roll >= kCountries[c].weight) roll -= kCountries[c++].weight;
    b.country = &kCountries[c];
    // A distinct name for every index: place x kind x extra, then a number.
    uint64_t k = i;
    std::string name = kPlaces[k % kPlaceCount];
    k /= kPlaceCount;
    name += ' ';
    name += kKinds[k % kKindCount];
    k /= kKindCount;
    name += kExtras[k % kExtraCount];
    k /= kExtraCount;
    if (k > 0) name += " " + std::to_string(k + 1);
    std::string upper = Upper(name);
    b.spellings[0] = CsvField(name + b.country->legal) + ',';
    b.spellings[1] = CsvField(upper + b.country->legal_upper) + ',';
    if (upper.size() > 8 && rng.Below(3) == 0) {
      std::swap(upper[3], upper[4]);  // a typo, legal form and all
      b.spellings[2] = CsvField(upper + b.country->legal_upper) + ',';
    } else {
      b.spellings[2] = CsvField(upper) + ',';
    }
    b.place = std::to_string(10 + rng.Below(9900)) + " Industrial Road," +
              b.country->cities[rng.Below(3)] + ',' + b.country->code + ',';
    b.port = static_cast<uint8_t>(rng.Below(2));
    b.broker = static_cast<uint8_t>(rng.Below(b.country->notify[2][0] != '\0'   ? 3
                                              : b.country->notify[1][0] != '\0' ? 2
                                                                                : 1));
  }
  return buyers;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t rows = 0, spellings = 0, seed = 1;
  std::string path;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--rows") {
      rows = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (flag == "--spellings") {
      spellings = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (flag == "--seed") {
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (flag == "--out") {
      path = argv[i + 1];
    } else {
      return Usage();
    }
  }
  if (argc % 2 == 0 || rows == 0 || spellings == 0 || path.empty()) return Usage();
  auto start = std::chrono::steady_clock::now();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::perror(path.c_str());
    return 1;
  }
  Rng rng(seed);
  std::vector<Buyer> buyers = MakeBuyers(spellings < 3 ? 1 : spellings / 3, rng);

  // The three years before 2026-11-01 (day 20,758 since the epoch).
  constexpr int kDays = 1096;
  std::vector<std::string> dates(kDays);
  for (int d = 0; d < kDays; ++d)
    dates[static_cast<size_t>(d)] =
        leadq::FormatDate((20'758 - kDays + d) * leadq::kMicrosPerDay) + ',';
  std::vector<std::string> supplier_fields(static_cast<size_t>(kSupplierCount) * 3);
  for (int s = 0; s < kSupplierCount; ++s)
    for (int v = 0; v < 3; ++v)
      supplier_fields[static_cast<size_t>(s * 3 + v)] = CsvField(kSuppliers[s].names[v]) + ',';
  std::vector<std::string> port_fields(kSupplierCount);
  for (int s = 0; s < kSupplierCount; ++s)
    port_fields[static_cast<size_t>(s)] = CsvField(kSuppliers[s].port) + ',';

  Writer out(f);
  out.Put(
      "bol_number,arrival_date,consignee_name,hs_code,shipper_name,consignee_address,consignee_"
      "city,"
      "consignee_country,shipper_country,notify_party,country_of_origin,port_of_lading,"
      "port_of_unlading,description,carrier,weight_kg,containers,teu,quantity,value_usd\n");
  const uint64_t buyer_count = buyers.size();
  for (uint64_t r = 0; r < rows; ++r) {
    // Skewed towards low indices: a few buyers import a lot, most a little.
    double u = rng.Uniform();
    const Buyer& b = buyers[static_cast<uint64_t>(u * u * static_cast<double>(buyer_count))];
    const Country& c = *b.country;
    int supplier = static_cast<int>(rng.Below(kSupplierCount));
    if (kSuppliers[supplier].country[0] == c.code[0] &&
        kSuppliers[supplier].country[1] == c.code[1])
      supplier = (supplier + 1) % kSupplierCount;  // an import crosses a border
    const Supplier& s = kSuppliers[supplier];
    const Hs& hs = kHs[rng.Below(kHsCount)];
    const auto& carrier = kCarriers[rng.Below(std::size(kCarriers))];
    uint64_t bits = rng.Next();

    out.Put(carrier[1]);
    out.Int(1'000'000'000ULL + r);  // unique: bol_number + hs_code never repeats
    out.Put(',');
    out.Put(dates[(bits & 0xffff) % kDays]);
    uint64_t spelling_roll = (bits >> 16) & 0xff;  // 0 in 60%, 1 in 25%, 2 in 15%
    out.Put(b.spellings[spelling_roll < 154 ? 0 : spelling_roll < 218 ? 1 : 2]);
    out.Put(hs.code);
    out.Put(',');
    out.Put(supplier_fields[static_cast<size_t>(supplier * 3) + (bits >> 24) % 3]);
    out.Put(b.place);
    out.Put(s.country);
    out.Put(',');
    if (((bits >> 32) & 0xff) < 180) {  // a notify party on 70% of rows
      const char* notify = c.notify[b.broker];
      if (((bits >> 40) & 0xf) == 0) notify = c.notify[0];
      if (std::strchr(notify, ',') != nullptr) {
        out.Put('"');
        out.Put(notify);
        out.Put('"');
      } else {
        out.Put(notify);
      }
    }
    out.Put(',');
    bool us = c.code[0] == 'U' && c.code[1] == 'S';
    if (!us) out.Put(s.country);  // US manifests carry no country of origin
    out.Put(',');
    out.Put(port_fields[static_cast<size_t>(supplier)]);
    const char* unlading = c.ports[b.port];
    if (std::strchr(unlading, ',') != nullptr) {
      out.Put('"');
      out.Put(unlading);
      out.Put('"');
    } else {
      out.Put(unlading);
    }
    out.Put(',');
    out.Put(hs.description);
    out.Put(',');
    out.Put(carrier[0]);
    out.Put(',');
    uint64_t kg = hs.kg_lo + rng.Below(hs.kg_span);
    out.Int(kg);
    out.Put(',');
    if (kg >= 4000) {
      uint64_t containers = 1 + kg / 18000;
      out.Int(containers);
      out.Put(',');
      out.Int(containers * (((bits >> 44) & 1) + 1));
    } else {
      out.Put(',');  // LCL: no container of its own
    }
    out.Put(',');
    out.Int(kg * 1000 / hs.grams_per_unit + 1);
    out.Put(',');
    if (c.declares_value)
      out.Money(kg * (hs.cents_per_kg_lo + (bits >> 48) % hs.cents_per_kg_span));
    out.Put('\n');
    out.MaybeFlush();
  }
  out.Flush();
  if (std::fclose(f) != 0) {
    std::perror(path.c_str());
    return 1;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("leadq_bench_trade_gen: %llu rows, %llu buyers, %.1f MB, %.1f s -> %s\n",
              static_cast<unsigned long long>(rows), static_cast<unsigned long long>(buyer_count),
              static_cast<double>(out.bytes()) / 1e6, seconds, path.c_str());
  return 0;
}
