#include "service/trade_demo.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "core/time.h"

namespace leadq::service {
namespace {

// ---------------------------------------------------------------------------------------------
// Randomness: integer arithmetic and +, -, *, / on doubles only (no <random> distributions),
// because the distributions differ between standard libraries and the same seed must give the
// same bytes everywhere. std::mt19937_64's output is fixed by the standard.
// ---------------------------------------------------------------------------------------------
class Dice {
 public:
  explicit Dice(uint64_t seed) : state_(seed) {}
  double Uniform() { return static_cast<double>(state_() >> 11) * 0x1.0p-53; }
  uint64_t Below(uint64_t n) { return state_() % n; }
  int Between(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  double Range(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  bool Chance(double p) { return Uniform() < p; }

 private:
  std::mt19937_64 state_;
};

// ---------------------------------------------------------------------------------------------
// What is shipped. The first three categories are the example model's products (HS 8708.30,
// 8708.80, 8708.99); the others make sure that not every import is a product import.
// ---------------------------------------------------------------------------------------------
enum class Category { kBrakes, kSuspension, kOtherParts, kTyres, kFilters, kLighting };
constexpr int kCategoryCount = 6;

bool IsProduct(Category c) {
  return c == Category::kBrakes || c == Category::kSuspension || c == Category::kOtherParts;
}

struct CategoryInfo {
  double unit_kg;  // per piece, for `quantity`
  std::array<std::string_view, 4> descriptions;
  // HS code as each customs authority writes it: US (10 and 6 digits), BR (NCM), MX (fracción),
  // PL (CN, spaced), elsewhere (HS 6).
  std::array<std::string_view, 6> hs;
  double kg_lo, kg_hi;            // per shipment, for buyers with random patterns
  double value_lo, value_hi;      // declared USD per kg, for BR and MX rows of those buyers
  std::array<double, 12> season;  // relative arrivals by calendar month, January first
};

constexpr CategoryInfo kCategories[kCategoryCount] = {
    {9.0,
     {"BRAKE DISCS", "DISC BRAKE PADS", "BRAKE CALIPERS REMANUFACTURED", "BRAKE DRUMS"},
     {"8708.30.5090", "870830", "8708.30.90", "8708.30.99", "8708 30 91", "8708.30"},
     3000,
     16000,
     3.5,
     12.0,
     {0.8, 0.8, 1.1, 1.2, 1.2, 1.0, 0.9, 0.9, 1.1, 1.2, 1.1, 0.7}},
    {4.5,
     {"SHOCK ABSORBERS", "CONTROL ARMS", "SUSPENSION STRUT ASSEMBLIES", "BALL JOINTS AND TIE RODS"},
     {"8708.80.6590", "870880", "8708.80.00", "8708.80.99", "8708 80 99", "8708.80"},
     2500,
     12000,
     8.0,
     22.0,
     {0.8, 0.9, 1.1, 1.2, 1.1, 1.0, 0.9, 0.9, 1.1, 1.1, 1.0, 0.9}},
    {1.6,
     {"AUTO PARTS", "WHEEL HUB BEARING UNITS", "CV JOINTS", "PARTS OF MOTOR VEHICLES NESOI"},
     {"8708.99.8180", "870899", "8708.99.90", "8708.99.99", "8708 99 97", "8708.99"},
     1500,
     9000,
     10.0,
     25.0,
     {0.9, 0.9, 1.0, 1.1, 1.1, 1.0, 1.0, 1.0, 1.0, 1.1, 1.0, 0.9}},
    {9.0,
     {"NEW PNEUMATIC TYRES FOR PASSENGER CARS", "RADIAL TIRES", "PCR TYRES", "WINTER TYRES"},
     {"4011.10.1010", "401110", "4011.10.00", "4011.10.01", "4011 10 00", "4011.10"},
     8000,
     22000,
     3.0,
     5.0,
     {0.6, 0.6, 0.9, 1.2, 1.0, 0.8, 0.8, 1.0, 1.4, 1.5, 1.2, 0.6}},
    {0.5,
     {"OIL FILTERS", "AIR FILTERS", "FUEL FILTERS", "CABIN AIR FILTERS"},
     {"8421.23.0000", "842123", "8421.23.00", "8421.23.01", "8421 23 00", "8421.23"},
     1000,
     6000,
     4.0,
     8.0,
     {1.0, 1.0, 1.1, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8}},
    {2.0,
     {"HEADLAMPS", "LED TAIL LAMPS", "FOG LAMPS", "AUTOMOTIVE LIGHTING EQUIPMENT"},
     {"8512.20.2040", "851220", "8512.20.21", "8512.20.01", "8512 20 00", "8512.20"},
     800,
     5000,
     12.0,
     30.0,
     {0.9, 0.9, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.2, 1.2, 0.8}},
};

const CategoryInfo& Info(Category c) { return kCategories[static_cast<int>(c)]; }

// ---------------------------------------------------------------------------------------------
// Suppliers: the foreign shippers, each written several ways. The first `easy` spellings differ
// only in case, punctuation and legal form (what any entity resolution joins); the rest drop or
// add words. Designed buyers only see the easy ones, so that their stories do not depend on how
// clever the resolution is.
// ---------------------------------------------------------------------------------------------
struct Supplier {
  std::string_view country;
  Category category;
  int easy;                       // the first `easy` names differ in case, punctuation, legal form
  std::string_view port_country;  // as written after the port: "HAMBURG, GERMANY"
  std::array<std::string_view, 2> ports;  // of lading; the second may be empty
  std::array<std::string_view, 4> names;  // the last ones may be empty

  int port_count() const { return ports[1].empty() ? 1 : 2; }
  int name_count() const {
    int n = 0;
    while (n < 4 && !names[static_cast<size_t>(n)].empty()) ++n;
    return n;
  }
};

enum SupplierId {
  kBosch,
  kZf,
  kContiTeves,
  kFebi,
  kMann,
  kHella,
  kContiReifen,
  kNingbo,
  kShandong,
  kRuitai,
  kYuexin,
  kHaida,
  kWenzhou,
  kPune,
  kChennai,
  kHanil,
  kDaegu,
  kDaejin,
  kNagoya,
  kKansai,
  kShizuoka,
  kBrembo,
  kPadane,
  kLevante,
  kOhio,
  kFreiosPaulista,
  kSuspBajio,
  kGdanskComponents,
  kSupplierCount
};

// One supplier a line pair reads better than clang-format's one field a line.
// clang-format off
constexpr Supplier kSuppliers[kSupplierCount] = {
    {"DE", Category::kBrakes, 3, "GERMANY", {"HAMBURG", "BREMERHAVEN"},
     {"Robert Bosch GmbH", "ROBERT BOSCH GMBH", "Robert Bosch G.m.b.H.", "BOSCH GMBH"}},
    {"DE", Category::kSuspension, 3, "GERMANY", {"BREMERHAVEN", "HAMBURG"},
     {"ZF Friedrichshafen AG", "ZF FRIEDRICHSHAFEN AG", "Z.F. FRIEDRICHSHAFEN A.G.", "ZF LEMFOERDER GMBH"}},
    {"DE", Category::kBrakes, 2, "GERMANY", {"HAMBURG"},
     {"Continental Teves AG & Co. oHG", "CONTINENTAL TEVES AG & CO OHG", "CONTINENTAL TEVES AG CO OHG", "CONTI TEVES"}},
    {"DE", Category::kOtherParts, 2, "GERMANY", {"HAMBURG", "BREMERHAVEN"},
     {"Ferdinand Bilstein GmbH + Co. KG", "FERDINAND BILSTEIN GMBH + CO KG", "FERDINAND BILSTEIN GMBH CO KG", "FEBI BILSTEIN"}},
    {"DE", Category::kFilters, 2, "GERMANY", {"HAMBURG"},
     {"MANN+HUMMEL GmbH", "MANN + HUMMEL GMBH", "MANN HUMMEL GMBH"}},
    {"DE", Category::kLighting, 2, "GERMANY", {"BREMERHAVEN"},
     {"HELLA GmbH & Co. KGaA", "HELLA GMBH & CO KGAA", "HELLA KGAA HUECK & CO"}},
    {"DE", Category::kTyres, 2, "GERMANY", {"HAMBURG"},
     {"Continental Reifen Deutschland GmbH", "CONTINENTAL REIFEN DEUTSCHLAND GMBH", "CONTINENTAL REIFEN"}},
    {"CN", Category::kBrakes, 3, "CHINA", {"NINGBO", "SHANGHAI"},
     {"Ningbo Hengda Auto Parts Co., Ltd.", "NINGBO HENGDA AUTO PARTS CO LTD", "NINGBO HENGDA AUTO PARTS CO.,LTD", "NINGBO HENG DA AUTOPARTS CO LTD"}},
    {"CN", Category::kBrakes, 2, "CHINA", {"SHANGHAI"},
     {"Shandong Jinhua Brake Systems Co., Ltd.", "SHANDONG JINHUA BRAKE SYSTEMS CO LTD", "SHANDONG JINHUA BRAKE SYSTEM CO.,LTD"}},
    {"CN", Category::kSuspension, 2, "CHINA", {"NINGBO", "SHANGHAI"},
     {"Zhejiang Ruitai Suspension Co., Ltd.", "ZHEJIANG RUITAI SUSPENSION CO LTD", "RUITAI SUSPENSION ZHEJIANG CO LTD"}},
    {"CN", Category::kLighting, 2, "CHINA", {"YANTIAN"},
     {"Guangzhou Yuexin Auto Lighting Co., Ltd.", "GUANGZHOU YUEXIN AUTO LIGHTING CO LTD", "GUANGZHOU YUE XIN AUTO LIGHTING"}},
    {"CN", Category::kTyres, 2, "CHINA", {"SHANGHAI", "NINGBO"},
     {"Qingdao Haida Tyre Co., Ltd.", "QINGDAO HAIDA TYRE CO LTD", "QINGDAO HAIDA TIRE CO LTD"}},
    {"CN", Category::kOtherParts, 2, "CHINA", {"NINGBO", "SHANGHAI"},
     {"Wenzhou Dongfang Auto Parts Co., Ltd.", "WENZHOU DONGFANG AUTO PARTS CO LTD", "WENZHOU DONG FANG AUTO PARTS"}},
    {"IN", Category::kBrakes, 2, "INDIA", {"NHAVA SHEVA"},
     {"Pune Precision Autocomp Pvt. Ltd.", "PUNE PRECISION AUTOCOMP PVT LTD", "PUNE PRECISION AUTO COMP PRIVATE LIMITED"}},
    {"IN", Category::kOtherParts, 2, "INDIA", {"NHAVA SHEVA"},
     {"Chennai Forge & Axle Pvt Ltd", "CHENNAI FORGE & AXLE PVT LTD", "CHENNAI FORGE AND AXLE PRIVATE LIMITED"}},
    {"KR", Category::kBrakes, 3, "KOREA", {"BUSAN"},
     {"Hanil Brake Co., Ltd.", "HANIL BRAKE CO LTD", "HANIL BRAKE CO.,LTD."}},
    {"KR", Category::kSuspension, 2, "KOREA", {"BUSAN"},
     {"Daegu Chassis Tech Co., Ltd.", "DAEGU CHASSIS TECH CO LTD", "DAEGU CHASSISTECH"}},
    {"KR", Category::kTyres, 2, "KOREA", {"BUSAN"},
     {"Daejin Tire Co., Ltd.", "DAEJIN TIRE CO LTD", "DAEJIN TYRE CO LTD"}},
    {"JP", Category::kBrakes, 2, "JAPAN", {"YOKOHAMA"},
     {"Nagoya Friction Materials K.K.", "NAGOYA FRICTION MATERIALS KK", "NAGOYA FRICTION MATERIALS CO LTD"}},
    {"JP", Category::kOtherParts, 2, "JAPAN", {"YOKOHAMA"},
     {"Kansai Precision Bearings Co., Ltd.", "KANSAI PRECISION BEARINGS CO LTD", "KANSAI PREC BEARINGS"}},
    {"JP", Category::kLighting, 2, "JAPAN", {"YOKOHAMA"},
     {"Shizuoka Lamp Works K.K.", "SHIZUOKA LAMP WORKS KK", "SHIZUOKA LAMP WORKS CO LTD"}},
    {"IT", Category::kBrakes, 3, "ITALY", {"GENOA"},
     {"Brembo S.p.A.", "BREMBO SPA", "BREMBO S P A"}},
    {"IT", Category::kSuspension, 3, "ITALY", {"GENOA"},
     {"Sospensioni Padane S.r.l.", "SOSPENSIONI PADANE SRL", "SOSPENSIONI PADANE"}},
    {"ES", Category::kBrakes, 2, "SPAIN", {"VALENCIA"},
     {"Industrias Frenos Levante S.L.", "INDUSTRIAS FRENOS LEVANTE SL", "IND. FRENOS LEVANTE S.L."}},
    {"US", Category::kOtherParts, 3, "UNITED STATES", {"HOUSTON", "NEW YORK"},
     {"Ohio Driveline Components Inc.", "OHIO DRIVELINE COMPONENTS INC", "OHIO DRIVELINE COMPONENTS"}},
    {"BR", Category::kBrakes, 2, "BRAZIL", {"SANTOS"},
     {"Freios Paulista Indústria Ltda", "FREIOS PAULISTA INDUSTRIA LTDA", "FREIOS PAULISTA IND LTDA"}},
    {"MX", Category::kSuspension, 2, "MEXICO", {"VERACRUZ"},
     {"Suspensiones del Bajío S.A. de C.V.", "SUSPENSIONES DEL BAJIO SA DE CV", "SUSPENSIONES BAJIO"}},
    {"PL", Category::kOtherParts, 2, "POLAND", {"GDANSK"},
     {"Gdańsk Auto Components Sp. z o.o.", "GDANSK AUTO COMPONENTS SP Z O O", "GDANSK AUTO COMPONENTS"}},
};
// clang-format on

// ---------------------------------------------------------------------------------------------
// Buyers' countries: ports of unlading, the forwarders and brokers named as notify party, and
// the pieces of made-up company names.
// ---------------------------------------------------------------------------------------------
struct Market {
  std::string_view code;
  int hs_form;  // index into CategoryInfo::hs; 0 for the US (which also uses 1)
  std::array<std::string_view, 5> ports;
  std::array<std::string_view, 6> notify;  // forwarders and local customs brokers
  std::array<std::string_view, 8> places;  // name parts that say where
  std::array<std::string_view, 5> kinds;   // name parts that say what
  bool kind_first;                         // "Autopeças Campinas" rather than "Midwest Auto Parts"
  std::string_view legal;                  // as the company writes it
  std::array<std::string_view, 3> legal_upper;  // as manifests write it
  std::array<std::string_view, 6> cities;
  std::array<std::string_view, 4> streets;
  int weight;  // share of the buyers with random patterns
};

constexpr Market kMarkets[] = {
    {"US",
     0,
     {"NEWARK, NJ", "SAVANNAH, GA", "LONG BEACH, CA", "HOUSTON, TX", "BALTIMORE, MD"},
     {"EXPEDITORS INTERNATIONAL OF WASHINGTON INC", "C.H. ROBINSON WORLDWIDE, INC.",
      "DHL GLOBAL FORWARDING", "KUEHNE + NAGEL INC", "LIVINGSTON INTERNATIONAL INC",
      "A.N. DERINGER, INC."},
     {"Midwest", "Atlantic", "Heartland", "Empire", "Gulf Coast", "Northstar", "Rocky Mountain",
      "Blue Ridge"},
     {"Auto Parts", "Brake Supply", "Parts Distribution", "Automotive Warehouse", "Motor Parts"},
     false,
     ", Inc.",
     {" INC", " INC.", " INCORPORATED"},
     {"Chicago", "Columbus", "Atlanta", "Dallas", "Kansas City", "Charlotte"},
     {"Industrial Pkwy", "Commerce Dr", "Distribution Way", "Logistics Blvd"},
     40},
    {"BR",
     2,
     {"SANTOS", "PARANAGUA", "ITAJAI", "RIO GRANDE", "SUAPE"},
     {"DHL GLOBAL FORWARDING (BRAZIL) LOGISTICS LTDA", "KUEHNE + NAGEL SERVICOS LOGISTICOS LTDA",
      "EXPEDITORS INTERNATIONAL DO BRASIL LTDA", "COMISSARIA DE DESPACHOS SANTISTA LTDA",
      "C.H. ROBINSON BRASIL", "DESPACHANTE ADUANEIRO ITAJAI LTDA"},
     {"Bandeirantes", "Minas Gerais", "Curitiba", "Três Rios", "Itajaí", "Vale do Paraíba",
      "Ribeirão Preto", "Goiânia"},
     {"Autopeças", "Distribuidora de Peças", "Comercial de Autopeças", "Freios",
      "Peças e Acessórios"},
     true,
     " Ltda",
     {" LTDA", " LTDA.", " LTDA - EPP"},
     {"São Paulo", "Campinas", "Curitiba", "Belo Horizonte", "Joinville", "Goiânia"},
     {"Rua das Indústrias", "Avenida Brasil", "Rua Santos Dumont", "Avenida Getúlio Vargas"},
     14},
    {"MX",
     3,
     {"MANZANILLO", "VERACRUZ", "LAZARO CARDENAS", "ALTAMIRA", "MANZANILLO"},
     {"AGENCIA ADUANAL GARZA HERMANOS S.C.", "EXPEDITORS INTERNATIONAL DE MEXICO SA DE CV",
      "DHL GLOBAL FORWARDING MEXICO", "KUEHNE + NAGEL SA DE CV", "C.H. ROBINSON DE MEXICO",
      "AGENCIA ADUANAL RUIZ Y ASOCIADOS"},
     {"del Norte", "Guadalajara", "Querétaro", "del Pacífico", "Puebla", "Sonora", "Jalisco",
      "Potosina"},
     {"Autopartes", "Refaccionaria", "Distribuidora de Autopartes", "Frenos y Suspensiones",
      "Refacciones"},
     true,
     " S.A. de C.V.",
     {" SA DE CV", " S.A. DE C.V.", " S A DE C V"},
     {"Guadalajara", "Querétaro", "Puebla", "Hermosillo", "San Luis Potosí", "Ciudad de México"},
     {"Av. Industrial", "Blvd. Aeropuerto", "Calle Norte", "Av. Constitución"},
     14},
    {"PL",
     4,
     {"GDANSK", "GDYNIA", "SZCZECIN", "GDANSK", "GDYNIA"},
     {"AGENCJA CELNA BALTIC SP. Z O.O.", "DHL GLOBAL FORWARDING POLSKA",
      "KUEHNE + NAGEL SP. Z O.O.", "C.H. ROBINSON POLSKA SA", "EXPEDITORS POLSKA SP. Z O.O.",
      "AGENCJA CELNA ODRA"},
     {"Warmia", "Podlasie", "Lubelskie", "Opole", "Kujawy", "Karpaty", "Bałtyk", "Mazury"},
     {"Auto-Części", "Hurtownia Motoryzacyjna", "Moto-Części", "Części Samochodowe",
      "Hurtownia Hamulców"},
     true,
     " Sp. z o.o.",
     {" SP Z O O", " SP. Z O.O.", " SPOLKA Z OGRANICZONA ODPOWIEDZIALNOSCIA"},
     {"Łódź", "Lublin", "Białystok", "Opole", "Bydgoszcz", "Rzeszów"},
     {"ul. Przemysłowa", "ul. Magazynowa", "ul. Składowa", "ul. Transportowa"},
     14},
    {"CA",
     5,
     {"MONTREAL", "VANCOUVER", "HALIFAX", "MONTREAL", "VANCOUVER"},
     {"LIVINGSTON INTERNATIONAL", "DHL GLOBAL FORWARDING CANADA", "KUEHNE + NAGEL LTD",
      "EXPEDITORS CANADA", "", ""},
     {"Maple Leaf", "Laurentian", "Prairie", "Ontario", "Fraser Valley", "Maritime", "Northern",
      "Great White"},
     {"Auto Parts", "Brake Supply", "Motor Parts", "Parts Warehouse", "Automotive"},
     false,
     " Ltd.",
     {" LTD", " LIMITED", " LTD."},
     {"Toronto", "Mississauga", "Montreal", "Calgary", "Winnipeg", "Vancouver"},
     {"Industrial Rd", "Commerce Cres", "Trade Dr", "Keele St"},
     4},
    {"GB",
     5,
     {"FELIXSTOWE", "SOUTHAMPTON", "FELIXSTOWE", "TILBURY", "SOUTHAMPTON"},
     {"DHL GLOBAL FORWARDING (UK) LTD", "KUEHNE + NAGEL LTD", "EXPEDITORS INTERNATIONAL (UK) LTD",
      "", "", ""},
     {"Midlands", "Pennine", "Thames", "Northern", "Wessex", "Anglia", "Severn", "Mercia"},
     {"Motor Factors", "Brake Parts", "Auto Spares", "Motor Parts", "Car Parts"},
     false,
     " Ltd",
     {" LTD", " LIMITED", " LTD."},
     {"Birmingham", "Leeds", "Manchester", "Coventry", "Bristol", "Sheffield"},
     {"Trading Estate", "Industrial Estate", "Business Park", "Enterprise Way"},
     3},
    {"TR",
     5,
     {"MERSIN", "AMBARLI", "IZMIR", "MERSIN", "AMBARLI"},
     {"DHL GLOBAL FORWARDING TURKEY", "KUEHNE + NAGEL NAKLIYAT", "EXPEDITORS TURKEY", "", "", ""},
     {"Anadolu", "Ege", "Marmara", "Karadeniz", "Toros", "Bursa", "Konya", "Trakya"},
     {"Oto Yedek Parça", "Fren Sistemleri", "Otomotiv", "Oto Parça", "Yedek Parça"},
     false,
     " A.Ş.",
     {" AS", " A.S.", " ANONIM SIRKETI"},
     {"İstanbul", "Bursa", "Ankara", "İzmir", "Konya", "Kocaeli"},
     {"Sanayi Cad.", "Organize Sanayi Bölgesi", "Atatürk Bulvarı", "Oto Sanayi Sitesi"},
     3},
    {"CL",
     5,
     {"SAN ANTONIO", "VALPARAISO", "SAN ANTONIO", "VALPARAISO", "SAN ANTONIO"},
     {"DHL GLOBAL FORWARDING CHILE", "AGENCIA DE ADUANAS PACIFICO", "KUEHNE + NAGEL LTDA", "", "",
      ""},
     {"Andes", "Pacífico Sur", "Atacama", "Biobío", "Araucanía", "Maipo", "Aconcagua",
      "Magallanes"},
     {"Repuestos", "Frenos", "Autopartes", "Repuestos Automotrices", "Importadora de Repuestos"},
     true,
     " SpA",
     {" SPA", " S.P.A.", " SPA."},
     {"Santiago", "Valparaíso", "Concepción", "Antofagasta", "Temuco", "Rancagua"},
     {"Av. Industrial", "Camino a Melipilla", "Av. Vicuña Mackenna", "Calle Los Talleres"},
     2},
    {"AR",
     5,
     {"BUENOS AIRES", "ROSARIO", "BUENOS AIRES", "ZARATE", "BUENOS AIRES"},
     {"DHL GLOBAL FORWARDING ARGENTINA", "DESPACHANTE DE ADUANA GOMEZ", "KUEHNE + NAGEL SA", "", "",
      ""},
     {"Río de la Plata", "Pampa", "Cuyo", "Patagonia", "Litoral", "Mendoza", "Córdoba", "Norte"},
     {"Autopartes", "Repuestos", "Frenos", "Distribuidora de Repuestos", "Rodamientos"},
     true,
     " S.R.L.",
     {" SRL", " S R L", " S.R.L."},
     {"Buenos Aires", "Córdoba", "Rosario", "Mendoza", "La Plata", "Mar del Plata"},
     {"Av. San Martín", "Av. Rivadavia", "Calle Belgrano", "Ruta 8 km"},
     2},
    {"CO",
     5,
     {"CARTAGENA", "BUENAVENTURA", "CARTAGENA", "BARRANQUILLA", "CARTAGENA"},
     {"DHL GLOBAL FORWARDING COLOMBIA", "AGENCIA DE ADUANAS CARIBE", "EXPEDITORS COLOMBIA", "", "",
      ""},
     {"Caribe", "Andina", "Antioquia", "Valle", "Santander", "Boyacá", "Llanos", "Pacífico"},
     {"Repuestos", "Autopartes", "Frenos", "Distribuidora de Autopartes", "Importadora"},
     true,
     " S.A.S.",
     {" SAS", " S.A.S.", " S A S"},
     {"Bogotá", "Medellín", "Cali", "Barranquilla", "Bucaramanga", "Pereira"},
     {"Calle", "Carrera", "Avenida", "Diagonal"},
     2},
    {"ZA",
     5,
     {"DURBAN", "PORT ELIZABETH", "DURBAN", "CAPE TOWN", "DURBAN"},
     {"DHL GLOBAL FORWARDING SA", "KUEHNE + NAGEL (PTY) LTD", "EXPEDITORS SOUTH AFRICA", "", "",
      ""},
     {"Highveld", "Karoo", "Natal", "Cape", "Gauteng", "Limpopo", "Drakensberg", "Vaal"},
     {"Auto Spares", "Brake Centre", "Motor Parts", "Auto Parts", "Parts Distributors"},
     false,
     " (Pty) Ltd",
     {" PTY LTD", " (PTY) LTD", " PTY LIMITED"},
     {"Johannesburg", "Durban", "Pretoria", "Cape Town", "Gqeberha", "Germiston"},
     {"Main Reef Rd", "Industria Rd", "Electron Ave", "Voortrekker Rd"},
     1},
    {"AU",
     5,
     {"MELBOURNE", "SYDNEY", "BRISBANE", "MELBOURNE", "SYDNEY"},
     {"DHL GLOBAL FORWARDING AUSTRALIA", "KUEHNE + NAGEL PTY LTD", "EXPEDITORS AUSTRALIA", "", "",
      ""},
     {"Southern Cross", "Outback", "Coral Coast", "Murray", "Tasman", "Eastern", "Gold Coast",
      "Swan"},
     {"Auto Parts", "Brake Supplies", "Motor Spares", "Parts Co", "Automotive"},
     false,
     " Pty Ltd",
     {" PTY LTD", " PTY. LTD.", " PTY LIMITED"},
     {"Melbourne", "Sydney", "Brisbane", "Adelaide", "Perth", "Geelong"},
     {"Industrial Dr", "Freight Rd", "Distribution Pl", "Commercial Rd"},
     1},
};

const Market& MarketOf(std::string_view code) {
  for (const Market& m : kMarkets)
    if (m.code == code) return m;
  return kMarkets[0];  // every buyer's country is in kMarkets
}

constexpr std::string_view kOceanCarriers[][2] = {
    {"MAERSK", "MAEU"},         {"MSC", "MEDU"}, {"CMA CGM", "CMDU"},   {"HAPAG-LLOYD", "HLCU"},
    {"COSCO SHIPPING", "COSU"}, {"ONE", "ONEY"}, {"EVERGREEN", "EGLV"}, {"HMM", "HDMU"}};
constexpr std::string_view kRoadCarriers[] = {"DSV ROAD", "RABEN LOGISTICS", "DACHSER",
                                              "GEBRUEDER WEISS"};

// ---------------------------------------------------------------------------------------------
// Spelling variants of made-up names.
// ---------------------------------------------------------------------------------------------

// Upper-case ASCII as manifests print it: accents dropped ("Autopeças São João" -> "AUTOPECAS
// SAO JOAO").
std::string FoldUpper(std::string_view s) {
  static constexpr std::string_view kFold[][2] = {
      {"á", "A"}, {"à", "A"}, {"â", "A"}, {"ã", "A"}, {"ä", "A"}, {"é", "E"}, {"ê", "E"},
      {"è", "E"}, {"í", "I"}, {"î", "I"}, {"ó", "O"}, {"ô", "O"}, {"õ", "O"}, {"ö", "O"},
      {"ú", "U"}, {"ü", "U"}, {"ç", "C"}, {"ñ", "N"}, {"ł", "L"}, {"ś", "S"}, {"ę", "E"},
      {"ą", "A"}, {"ż", "Z"}, {"ź", "Z"}, {"ć", "C"}, {"ń", "N"}, {"ş", "S"}, {"ğ", "G"},
      {"ı", "I"}, {"Ł", "L"}, {"Ś", "S"}, {"Ż", "Z"}, {"İ", "I"}, {"Ş", "S"}, {"Ç", "C"},
      {"Ö", "O"}, {"Ü", "U"}, {"É", "E"}, {"Á", "A"}, {"Í", "I"}};
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    bool folded = false;
    if (static_cast<unsigned char>(s[i]) >= 0x80) {
      for (const auto& f : kFold) {
        if (s.substr(i, f[0].size()) == f[0]) {
          out += f[1];
          i += f[0].size();
          folded = true;
          break;
        }
      }
    }
    if (folded) continue;
    char c = s[i++];
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
  }
  return out;
}

// A slip of the typist: two neighbouring letters of the longest word swapped.
std::string WithTypo(std::string name, Dice& dice) {
  size_t best = 0, best_len = 0;
  for (size_t i = 0; i < name.size();) {
    size_t j = i;
    while (j < name.size() && name[j] >= 'A' && name[j] <= 'Z') ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j + 1;
  }
  if (best_len < 5) return name;
  size_t at = best + 1 + dice.Below(best_len - 3);
  std::swap(name[at], name[at + 1]);
  return name;
}

// ---------------------------------------------------------------------------------------------
// The rows, kept as parts until they are sorted by date and written.
// ---------------------------------------------------------------------------------------------
struct Buyer {
  std::string_view country;
  std::vector<std::string> spellings;  // the first is the most frequent
  bool last_is_typo = false;           // written once only
  std::string address, city;
  std::string_view port;  // of unlading
  int broker = 0;         // index into Market::notify, the usual notify party
  double notify_share = 0.86;
  bool designed = false;
  int shipments = 0;        // written so far
  int first_spelling = -1;  // the spelling of its first line: one the records surely hold
};

struct Line {
  int64_t day = 0;
  std::string bol;
  int buyer = 0;
  int spelling = 0;
  int supplier = 0;
  int supplier_spelling = 0;
  Category category = Category::kBrakes;
  bool us_short_hs = false;
  std::string_view notify;
  std::string port_of_lading;
  std::string_view port_of_unlading;
  std::string_view carrier;
  int description = 0;
  int64_t weight_kg = 0;
  int containers = 0;  // 0: none written (LCL or road)
  int teu = 0;
  int64_t quantity = 0;
  double value_usd = -1;  // < 0: none written
};

class Generator {
 public:
  explicit Generator(const TradeDemoOptions& options)
      : dice_(options.seed),
        as_of_day_(options.as_of >= 0 ? options.as_of / kMicrosPerDay
                                      : -((-options.as_of + kMicrosPerDay - 1) / kMicrosPerDay)) {}

  int AddBuyer(Buyer buyer) {
    buyers_.push_back(std::move(buyer));
    return static_cast<int>(buyers_.size()) - 1;
  }
  const Buyer& buyer(int i) const { return buyers_[static_cast<size_t>(i)]; }
  Dice& dice() { return dice_; }
  int64_t as_of_day() const { return as_of_day_; }

  // The calendar month (1-12) of a day.
  static int MonthOf(int64_t day) {
    std::string date = FormatDate(day * kMicrosPerDay);
    return (date[date.size() - 5] - '0') * 10 + (date[date.size() - 4] - '0');
  }

  // One shipment (one bill of lading, one or two lines). `value_per_kg` < 0: none declared
  // (it is only written for BR and MX buyers anyway).
  void Ship(int buyer_index, int supplier, Category category, int64_t day, double kg,
            double value_per_kg, bool second_line) {
    Buyer& b = buyers_[static_cast<size_t>(buyer_index)];
    const Supplier& s = kSuppliers[supplier];
    const Market& market = MarketOf(b.country);
    Line line;
    line.day = day;
    line.buyer = buyer_index;
    line.spelling = PickSpelling(b);
    if (b.first_spelling < 0) b.first_spelling = line.spelling;
    line.supplier = supplier;
    int spellings = b.designed ? s.easy : s.name_count();
    line.supplier_spelling =
        dice_.Chance(0.55) ? 0 : static_cast<int>(dice_.Below(static_cast<uint64_t>(spellings)));
    line.category = category;
    line.us_short_hs = dice_.Chance(0.4);
    // Notify party: the designed buyers name one on six shipments of seven (deterministically,
    // so their share cannot fall below the model's half by chance).
    bool notify = b.designed ? (b.shipments % 7 != 3) : dice_.Chance(b.notify_share);
    if (notify) {
      int n = 0;
      while (n < 6 && !market.notify[static_cast<size_t>(n)].empty()) ++n;
      int pick =
          dice_.Chance(0.8) ? b.broker : static_cast<int>(dice_.Below(static_cast<uint64_t>(n)));
      line.notify = market.notify[static_cast<size_t>(pick)];
    }
    bool road =
        (b.country == "PL" && s.country == "DE") || (b.country == "MX" && s.country == "US");
    uint64_t serial = 210'000'000 + serial_++ * 61 + dice_.Below(61);
    if (road) {
      line.carrier = kRoadCarriers[dice_.Below(std::size(kRoadCarriers))];
      line.bol = "CMR" + std::to_string(serial);
      if (b.country == "MX") {
        line.port_of_lading = "LAREDO, TX";
        line.port_of_unlading = "NUEVO LAREDO";
      }
    } else {
      const auto& carrier = kOceanCarriers[dice_.Below(std::size(kOceanCarriers))];
      line.carrier = carrier[0];
      line.bol = std::string(carrier[1]) + std::to_string(serial);
      std::string_view port = s.ports[dice_.Below(static_cast<uint64_t>(s.port_count()))];
      std::string_view port_country = s.port_country;
      // Some German cargo of the buyers with random patterns leaves through the Benelux ports
      // (so a US manifest's port says NL or BE, not DE).
      if (!b.designed && s.country == "DE" && dice_.Chance(0.15)) {
        bool rotterdam = dice_.Chance(0.5);
        port = rotterdam ? "ROTTERDAM" : "ANTWERP";
        port_country = rotterdam ? "NETHERLANDS" : "BELGIUM";
      }
      line.port_of_lading = std::string(port);
      if (dice_.Chance(0.5)) line.port_of_lading += ", " + std::string(port_country);
      line.port_of_unlading = b.port;
    }
    double weight = std::round(kg);
    line.weight_kg = static_cast<int64_t>(weight);
    if (!road && weight >= 4000) {
      bool forty = weight > 12000 && dice_.Chance(0.5);
      line.containers = static_cast<int>(std::ceil(weight / (forty ? 26000.0 : 18000.0)));
      line.teu = line.containers * (forty ? 2 : 1);
    }
    line.quantity =
        std::max<int64_t>(1, static_cast<int64_t>(std::round(weight / Info(category).unit_kg)));
    bool declares = b.country == "BR" || b.country == "MX";
    if (declares) {
      double per_kg = value_per_kg >= 0
                          ? value_per_kg
                          : dice_.Range(Info(category).value_lo, Info(category).value_hi);
      line.value_usd = std::round(weight * per_kg * 100) / 100;
    }
    line.description = static_cast<int>(dice_.Below(4));
    ++b.shipments;
    if (second_line) {
      // A second line on the same bill of lading: a different kind of goods from the same shipper.
      Line extra = line;
      extra.category =
          category == Category::kOtherParts ? Category::kFilters : Category::kOtherParts;
      double extra_kg = std::round(weight * dice_.Range(0.1, 0.3));
      extra.weight_kg = static_cast<int64_t>(extra_kg);
      extra.containers = 0;
      extra.teu = 0;
      extra.quantity = std::max<int64_t>(
          1, static_cast<int64_t>(std::round(extra_kg / Info(extra.category).unit_kg)));
      if (declares)
        extra.value_usd =
            std::round(extra_kg *
                       dice_.Range(Info(extra.category).value_lo, Info(extra.category).value_hi) *
                       100) /
            100;
      lines_.push_back(std::move(line));
      lines_.push_back(std::move(extra));
      return;
    }
    lines_.push_back(std::move(line));
  }

  // Header and rows, oldest first (ties by bill of lading, then line order).
  std::string WriteCsv() {
    std::stable_sort(lines_.begin(), lines_.end(), [](const Line& a, const Line& b) {
      if (a.day != b.day) return a.day < b.day;
      return a.bol < b.bol;
    });
    std::string out =
        "bol_number,arrival_date,consignee_name,hs_code,shipper_name,consignee_address,consignee_"
        "city,"
        "consignee_country,shipper_country,notify_party,country_of_origin,port_of_lading,"
        "port_of_unlading,description,carrier,weight_kg,containers,teu,quantity,value_usd\n";
    out.reserve(lines_.size() * 260);
    for (const Line& l : lines_) {
      const Buyer& b = buyers_[static_cast<size_t>(l.buyer)];
      const Supplier& s = kSuppliers[l.supplier];
      const CategoryInfo& info = Info(l.category);
      const Market& market = MarketOf(b.country);
      bool us = b.country == "US";
      AppendCsvField(out, l.bol);
      out += ',';
      out += FormatDate(l.day * kMicrosPerDay);
      out += ',';
      AppendCsvField(out, b.spellings[static_cast<size_t>(l.spelling)]);
      out += ',';
      out += info.hs[static_cast<size_t>(us && l.us_short_hs ? 1 : market.hs_form)];
      out += ',';
      AppendCsvField(out, s.names[static_cast<size_t>(l.supplier_spelling)]);
      out += ',';
      AppendCsvField(out, b.address);
      out += ',';
      AppendCsvField(out, b.city);
      out += ',';
      out += b.country;
      out += ',';
      out += s.country;
      out += ',';
      AppendCsvField(out, l.notify);
      out += ',';
      if (!us) out += s.country;  // US manifests carry no country of origin
      out += ',';
      AppendCsvField(out, l.port_of_lading);
      out += ',';
      AppendCsvField(out, l.port_of_unlading);
      out += ',';
      AppendCsvField(out, info.descriptions[static_cast<size_t>(l.description)]);
      out += ',';
      AppendCsvField(out, l.carrier);
      out += ',';
      out += std::to_string(l.weight_kg);
      out += ',';
      if (l.containers > 0) out += std::to_string(l.containers);
      out += ',';
      if (l.teu > 0) out += std::to_string(l.teu);
      out += ',';
      out += std::to_string(l.quantity);
      out += ',';
      if (l.value_usd >= 0) AppendFixed2(out, l.value_usd);
      out += '\n';
    }
    return out;
  }

  uint64_t rows() const { return lines_.size(); }

 private:
  int PickSpelling(Buyer& b) {
    int n = static_cast<int>(b.spellings.size());
    if (b.last_is_typo) {
      // The typo once, on the third shipment; otherwise the others.
      if (b.shipments == 2) return n - 1;
      --n;
    }
    if (n == 1 || dice_.Chance(0.5)) return 0;
    return 1 + static_cast<int>(dice_.Below(static_cast<uint64_t>(n - 1)));
  }

  Dice dice_;
  int64_t as_of_day_;
  std::vector<Buyer> buyers_;
  std::vector<Line> lines_;
  uint64_t serial_ = 0;
};

// The middle of month-slot `m` before as_of (slot m: days [30.44 m, 30.44 (m + 1)) back), so
// that a designed shipment is never near the edge of a 12- or 24-month window.
int64_t DesignedDay(Generator& gen, int m) {
  return gen.as_of_day() -
         (static_cast<int64_t>(std::lround(30.44 * m)) + gen.dice().Between(8, 22));
}

// ---------------------------------------------------------------------------------------------
// The designed buyers.
// ---------------------------------------------------------------------------------------------

// Shipments from one supplier in the month slots m = from, ..., to (ages in months, from >= to)
// with (m - to) % every == 0.
struct Stream {
  int supplier;
  int from, to, every;
  double kg;
};

struct Story {
  std::string_view kind;
  std::string_view detail;
  std::string_view country;
  std::vector<std::string> spellings;
  bool last_is_typo;
  std::string_view address, city, port;
  double value_lo, value_hi;  // USD per kg declared on product rows (BR, MX); 0: none
  std::vector<Stream> streams;
  int access;  // 1 yes, 0 no, -1 nothing recorded
  std::string_view note;
};

// One story a paragraph: kind, detail; country, spellings (the last once only when marked as a
// typo); address, city, port of unlading; declared USD per kg on product rows; the streams
// {supplier, from, to, every, kg}; access (1 yes, 0 no, -1 nothing recorded) and its note.
// clang-format off
std::vector<Story> Stories() {
  return {
      // --- qualified: all five criteria hold ----------------------------------------------------
      {"qualified", "all five criteria hold; movement: a new supplier, Hanil Brake (KR), first seen "
       "about 8 months ago with 5 of 11 product shipments in the last 12 months",
       "US", {"Keystone Brake & Chassis, Inc.", "KEYSTONE BRAKE & CHASSIS INC", "KEYSTONE BRAKE & CHASSIS INC.",
              "KEYSTNOE BRAKE & CHASSIS INC"}, true,
       "2150 Industrial Blvd", "Allentown", "NEWARK, NJ", 0, 0,
       {{kBosch, 35, 0, 2, 9000}, {kNingbo, 35, 12, 3, 12000}, {kHanil, 8, 0, 2, 8000}, {kMann, 34, 4, 6, 3000}},
       1, "met at Automechanika Frankfurt; the buyer is the purchasing director"},
      {"qualified", "all five criteria hold; movement: one supplier, ZF (DE), carries 12 of 14 product "
       "shipments in the last 12 months (HHI about 0.76)",
       "US", {"Lone Star Undercar Supply LLC", "LONE STAR UNDERCAR SUPPLY LLC", "LONE STAR UNDERCAR SUPPLY L.L.C.",
              "LONE STAR UNDERCAR SUPPLY"}, false,
       "8800 Clinton Dr", "Houston", "HOUSTON, TX", 0, 0,
       {{kZf, 35, 0, 1, 6000}, {kDaegu, 31, 1, 6, 5000}, {kHaida, 34, 2, 4, 15000}},
       1, "introduced by our Houston distributor; call with the VP of purchasing booked"},
      {"qualified", "all five criteria hold; movement: China's share of product shipments fell from "
       "80% to 40% (Febi Bilstein, DE, took it)",
       "US", {"Pacific Rim Auto Parts Corp.", "PACIFIC RIM AUTO PARTS CORP", "PACIFIC RIM AUTO PARTS CORPORATION"}, false,
       "1200 E Sepulveda Blvd", "Carson", "LONG BEACH, CA", 0, 0,
       {{kWenzhou, 35, 12, 1, 4000}, {kWenzhou, 9, 0, 3, 4000}, {kFebi, 32, 12, 4, 3500}, {kFebi, 10, 0, 2, 3500}},
       1, "purchasing director visited our stand at AAPEX Las Vegas; samples approved"},
      {"qualified", "all five criteria hold; economics: declares 9-12 USD/kg on 8708.30 (German brakes "
       "land at about 6.9 USD/kg); movement: product volume up about 60% on the year before",
       "BR", {"Autopeças São João Ltda", "AUTOPECAS SAO JOAO LTDA.", "AUTO PECAS SAO JOAO", "AUTOPEÇAS SÃO JOÃO LTDA",
              "AUTOPECAS SAO JAOO LTDA"}, true,
       "Rua Voluntários da Pátria, 1450", "São Paulo", "SANTOS", 9.0, 12.0,
       {{kBosch, 35, 12, 3, 8000}, {kBosch, 10, 0, 2, 10000}, {kShandong, 32, 12, 4, 9000},
        {kShandong, 9, 0, 3, 9000}, {kHaida, 33, 3, 5, 14000}},
       1, "visited at Automec São Paulo; the owner signs every import himself"},
      {"qualified", "all five criteria hold; economics: declares 10-12 USD/kg on 8708.30; movement: "
       "Bosch (DE) carries 12 of 14 product shipments (HHI about 0.76)",
       "BR", {"Distribuidora Gaúcha de Freios S.A.", "DISTRIBUIDORA GAUCHA DE FREIOS SA",
              "DISTRIBUIDORA GAUCHA DE FREIOS S/A"}, false,
       "Avenida Sertório, 6600", "Porto Alegre", "RIO GRANDE", 10.0, 12.0,
       {{kBosch, 35, 0, 1, 7000}, {kNingbo, 30, 0, 6, 9000}},
       1, "our Porto Alegre agent knows the commercial director; meeting held in March"},
      {"qualified", "all five criteria hold; economics: declares 20-22 USD/kg on 8708.80; movement: a "
       "new supplier, ZF (DE), first seen about 10 months ago with half of the product shipments",
       "MX", {"Autopartes del Bajío, S.A. de C.V.", "AUTOPARTES DEL BAJIO SA DE CV", "AUTOPARTES DEL BAJIO S.A. DE C.V.",
              "AUTOPARTES BAJIO"}, false,
       "Blvd. Aeropuerto 1204, Col. San Carlos", "León", "MANZANILLO", 20.0, 22.0,
       {{kRuitai, 35, 0, 2, 7000}, {kZf, 10, 0, 2, 6000}, {kYuexin, 33, 3, 6, 2500}},
       1, "met at INA PAACE Automechanika Mexico City; the director general approves suppliers"},
      {"qualified", "all five criteria hold; economics: declares 7-8 USD/kg on 8708.30; movement: "
       "product shipments up from 7 to 12 a year (Brembo, IT, and Continental Teves, DE)",
       "MX", {"Refaccionaria Industrial Regiomontana S.A. de C.V.", "REFACCIONARIA INDUSTRIAL REGIOMONTANA SA DE CV",
              "REFACCIONARIA INDUSTRIAL REGIOMONTANA"}, false,
       "Av. Constitución 2201 Pte.", "Monterrey", "ALTAMIRA", 7.0, 8.0,
       {{kBrembo, 35, 12, 3, 9000}, {kBrembo, 10, 0, 2, 9000}, {kContiTeves, 32, 12, 4, 8000},
        {kContiTeves, 11, 1, 2, 8000}},
       1, "purchasing manager asked for a quote after our webinar; the CFO signs above 50k USD"},
      {"qualified", "all five criteria hold; movement: China's share of product shipments fell from "
       "75% to about 43% (Bosch, DE, by road, stayed)",
       "PL", {"Auto-Części Wisła Sp. z o.o.", "AUTO CZESCI WISLA SP Z O O", "AUTO-CZESCI WISLA SP. Z O.O.",
              "AUTO-CZĘŚCI WISŁA"}, false,
       "ul. Półłanki 64", "Kraków", "GDANSK", 0, 0,
       {{kNingbo, 35, 12, 1, 10000}, {kNingbo, 8, 0, 4, 10000}, {kBosch, 33, 0, 3, 7000}},
       1, "met at Automechanika Frankfurt; the owner decides on new brands"},
      {"qualified", "all five criteria hold; movement: a new supplier, Kansai Precision Bearings (JP), "
       "first seen about 10 months ago with 6 of 16 product shipments",
       "PL", {"Hurtownia Motoryzacyjna Mazowsze S.A.", "HURTOWNIA MOTORYZACYJNA MAZOWSZE SA",
              "HURTOWNIA MOTORYZACYJNA MAZOWSZE S.A."}, false,
       "ul. Annopol 3", "Warszawa", "GDYNIA", 0, 0,
       {{kFebi, 35, 0, 2, 3000}, {kWenzhou, 33, 0, 3, 4000}, {kKansai, 10, 0, 2, 2500}},
       1, "category manager for chassis parts replied to our samples offer; she decides"},
      {"qualified", "all five criteria hold; movement: ZF (DE) carries 12 of 14 product shipments "
       "(HHI about 0.76)",
       "PL", {"Zawieszenia Pomorze Sp. z o.o.", "ZAWIESZENIA POMORZE SP Z O O", "ZAWIESZENIA POMORZE SP. Z O.O."}, false,
       "ul. Elbląska 135", "Gdańsk", "GDANSK", 0, 0,
       {{kZf, 35, 0, 1, 5000}, {kPadane, 33, 3, 6, 4000}, {kHella, 34, 4, 5, 1500}},
       1, "met at Automechanika Frankfurt; the purchasing director asked for our price list"},
      // --- one criterion fails -----------------------------------------------------------------
      {"no recent activity", "fails activity: the last product shipment (Bosch, DE) arrived about 15 "
       "months before as_of (and so movement: nothing in the last 12 months to compare); tyres keep "
       "arriving, so capability holds",
       "US", {"Great Lakes Brake Supply Co.", "GREAT LAKES BRAKE SUPPLY CO", "GREAT LAKES BRAKE SUPPLY COMPANY"}, false,
       "3300 W Fort St", "Detroit", "BALTIMORE, MD", 0, 0,
       {{kBosch, 35, 15, 1, 8000}, {kNingbo, 35, 19, 4, 9000}, {kHaida, 35, 0, 3, 16000}},
       1, "met the owner at AAPEX; he buys brakes domestically now"},
      {"no recent activity", "fails activity: the last product shipment (ZF, DE) arrived about 17 "
       "months before as_of (and so movement: nothing in the last 12 months to compare); filters "
       "keep arriving, so capability holds",
       "PL", {"Motohurt Śląsk Sp. z o.o.", "MOTOHURT SLASK SP Z O O", "MOTOHURT SLASK SP. Z O.O."}, false,
       "ul. Katowicka 42", "Chorzów", "GDANSK", 0, 0,
       {{kZf, 35, 17, 1, 5000}, {kDaegu, 35, 18, 6, 4000}, {kMann, 35, 0, 3, 2000}},
       1, "the purchasing director is a former colleague of our sales manager"},
      {"never imported from DE", "fails capability: every shipment comes from CN, IN or KR, none from "
       "the origin DE; a new supplier, Hanil Brake (KR), carries 6 of 16 product shipments",
       "US", {"Sunbelt Import Parts LLC", "SUNBELT IMPORT PARTS LLC", "SUNBELT IMPORT PARTS L.L.C."}, false,
       "5600 NW 36th St", "Miami", "SAVANNAH, GA", 0, 0,
       {{kNingbo, 35, 0, 2, 11000}, {kPune, 35, 0, 3, 8000}, {kHanil, 10, 0, 2, 8000}, {kHaida, 34, 2, 4, 15000}},
       1, "met the buyer at AAPEX; he asked for a price list"},
      {"never imported from DE", "fails capability: every shipment comes from CN or IN, none from the "
       "origin DE; Shandong Jinhua (CN) carries 12 of 14 product shipments",
       "MX", {"Frenos y Refacciones Azteca S.A. de C.V.", "FRENOS Y REFACCIONES AZTECA SA DE CV",
              "FRENOS Y REFACCIONES AZTECA S.A. DE C.V."}, false,
       "Calle Norte 45 No. 812", "Ciudad de México", "MANZANILLO", 7.0, 8.0,
       {{kShandong, 35, 0, 1, 9000}, {kPune, 35, 1, 6, 8000}, {kYuexin, 34, 2, 4, 2000}},
       1, "met at INA PAACE Automechanika Mexico City; the general manager wants European brands"},
      {"no movement", "fails reason to switch: three steady suppliers (Bosch DE, Hanil KR, Nagoya JP) "
       "with 4 product shipments each a year (HHI 0.33), flat volume, no new supplier, stable origins",
       "US", {"Tri-State Chassis Parts Inc", "TRI-STATE CHASSIS PARTS INC", "TRI STATE CHASSIS PARTS INC."}, false,
       "45 Meadowlands Pkwy", "Secaucus", "NEWARK, NJ", 0, 0,
       {{kBosch, 33, 0, 3, 9000}, {kHanil, 34, 1, 3, 9000}, {kNagoya, 35, 2, 3, 9000}, {kMann, 30, 0, 6, 2500}},
       1, "purchasing director met at AAPEX; happy with current suppliers"},
      {"no movement", "fails reason to switch: three steady suppliers (Continental Teves DE, Brembo IT, "
       "Frenos Levante ES) with 4 product shipments each a year (HHI 0.33), flat volume, stable origins",
       "PL", {"Hamulce Wielkopolska Sp. z o.o.", "HAMULCE WIELKOPOLSKA SP Z O O", "HAMULCE WIELKOPOLSKA SP. Z O.O."}, false,
       "ul. Głogowska 218", "Poznań", "GDYNIA", 0, 0,
       {{kContiTeves, 33, 0, 3, 6000}, {kBrembo, 34, 1, 3, 6000}, {kLevante, 35, 2, 3, 6000}},
       1, "met the owner at Automechanika Frankfurt; long-standing supplier contracts"},
      {"margin-negative", "fails economics: declares 3.5-4.5 USD/kg on 8708.30 while German brakes land "
       "at about 6.9 USD/kg (16% duty, AFRMM and 18% tax on CIF)",
       "BR", {"Comercial Paulista de Autopeças Ltda", "COMERCIAL PAULISTA DE AUTOPECAS LTDA",
              "COMERCIAL PAULISTA DE AUTO PECAS LTDA"}, false,
       "Avenida do Estado, 4800", "São Paulo", "SANTOS", 3.5, 4.5,
       {{kNingbo, 35, 0, 2, 12000}, {kBosch, 35, 5, 6, 6000}, {kShandong, 10, 0, 2, 12000}},
       1, "met at Automec São Paulo; the owner buys on price"},
      {"margin-negative", "fails economics: declares 3.5-4.5 USD/kg on 8708.30 (cheap Indian brakes) "
       "while German brakes land at about 6.9 USD/kg",
       "BR", {"Freios Nordeste Distribuidora Ltda", "FREIOS NORDESTE DISTRIBUIDORA LTDA",
              "FREIOS NORDESTE DISTRIBUIDORA LTDA - EPP"}, false,
       "Rua Imperial, 1900", "Recife", "SUAPE", 3.5, 4.5,
       {{kPune, 35, 0, 1, 10000}, {kBosch, 32, 0, 8, 5000}},
       1, "the commercial director answered our e-mail; price is all he asks about"},
      {"no access", "fails access: recorded as no; activity, capability, movement (China's share of "
       "product shipments down from 50% to 25%) and economics (22-25 USD/kg on 8708.99) hold",
       "MX", {"Grupo Refaccionario Hidalgo S.A. de C.V.", "GRUPO REFACCIONARIO HIDALGO SA DE CV",
              "GRUPO REFACCIONARIO HIDALGO S.A. DE C.V."}, false,
       "Carretera México-Pachuca km 84", "Pachuca", "VERACRUZ", 22.0, 25.0,
       {{kFebi, 35, 0, 2, 3000}, {kWenzhou, 35, 13, 2, 3000}, {kWenzhou, 11, 5, 6, 3000}},
       0, "no contact beyond the logistics desk"},
      {"access unknown", "nothing recorded (developing: 4 met + 1 unknown); movement: product "
       "shipments up from 8 to 14 a year (Bosch, DE)",
       "US", {"Cascade Brake & Clutch Distributors Inc.", "CASCADE BRAKE & CLUTCH DISTRIBUTORS INC",
              "CASCADE BRAKE AND CLUTCH DISTRIBUTORS INC"}, false,
       "7400 NE Columbia Blvd", "Portland", "LONG BEACH, CA", 0, 0,
       {{kBosch, 34, 12, 2, 8000}, {kBosch, 11, 0, 1, 8000}, {kBrembo, 35, 5, 6, 6000}},
       -1, ""},
  };
}
// clang-format on

void AddStory(Generator& gen, const Story& story, TradeDemo& demo) {
  Buyer b;
  b.country = story.country;
  b.spellings = story.spellings;
  b.last_is_typo = story.last_is_typo;
  b.address = story.address;
  b.city = story.city;
  b.port = story.port;
  b.designed = true;
  b.broker = static_cast<int>(gen.dice().Below(4));
  int index = gen.AddBuyer(std::move(b));
  for (const Stream& s : story.streams) {
    Category category = kSuppliers[s.supplier].category;
    for (int m = s.from; m >= s.to; --m) {
      if ((m - s.to) % s.every != 0) continue;
      double kg = s.kg * gen.dice().Range(0.97, 1.03);
      double value = -1;
      if (IsProduct(category) && story.value_hi > 0)
        value = gen.dice().Range(story.value_lo, story.value_hi);
      gen.Ship(index, s.supplier, category, DesignedDay(gen, m), kg, value, false);
    }
  }
  const std::string& spelling = story.spellings.front();
  demo.stories.push_back({std::string(story.country), spelling,
                          std::string(story.kind) + ": " + std::string(story.detail)});
  if (story.access >= 0)
    demo.access.push_back(
        {std::string(story.country), spelling, story.access == 1, std::string(story.note)});
}

// ---------------------------------------------------------------------------------------------
// Buyers with random patterns.
// ---------------------------------------------------------------------------------------------
constexpr std::string_view kNameExtras[] = {"Group",   "Wholesale", "Distributors", "International",
                                            "Express", "Direct",    "Trading"};

constexpr std::string_view kNoAccessNotes[] = {
    "cold e-mails to the info address unanswered",
    "only the import clerk replied; no name in purchasing",
};

// Suppliers by how often they ship to these buyers (China most, then Germany).
int PickSupplier(Dice& dice, std::string_view buyer_country, bool product) {
  for (;;) {
    int s = static_cast<int>(dice.Below(kSupplierCount));
    const Supplier& supplier = kSuppliers[s];
    if (supplier.country == buyer_country) continue;
    if (IsProduct(supplier.category) != product) continue;
    // Chinese suppliers twice as likely, the US, BR, MX and PL ones half as likely.
    if (supplier.country == "CN" || dice.Chance(0.5)) return s;
    if (supplier.country != "US" && supplier.country != "BR" && supplier.country != "MX" &&
        supplier.country != "PL" && dice.Chance(0.6))
      return s;
  }
}

void AddRandomBuyer(Generator& gen, std::set<std::string>& used, TradeDemo& demo) {
  Dice& dice = gen.dice();
  int total = 0;
  for (const Market& m : kMarkets) total += m.weight;
  int roll = static_cast<int>(dice.Below(static_cast<uint64_t>(total)));
  const Market* market = &kMarkets[0];
  for (const Market& m : kMarkets) {
    if (roll < m.weight) {
      market = &m;
      break;
    }
    roll -= m.weight;
  }
  // A name not used yet (the story buyers' names are taken too).
  std::string place, kind, display;
  for (int attempt = 0;; ++attempt) {
    place = market->places[dice.Below(market->places.size())];
    kind = market->kinds[dice.Below(market->kinds.size())];
    std::string base = market->kind_first ? kind + " " + place : place + " " + kind;
    // Past the plain combinations: "Midwest Auto Parts Group", then a number.
    if (attempt > 10) base += " " + std::string(kNameExtras[attempt % std::size(kNameExtras)]);
    if (attempt > 40) base += " " + std::to_string(attempt);
    if (used.insert(FoldUpper(base)).second) {
      display = base;
      break;
    }
  }
  std::string upper = FoldUpper(display);
  std::vector<std::string> variants = {
      display + std::string(market->legal), upper + std::string(market->legal_upper[0]),
      upper + std::string(market->legal_upper[1 + dice.Below(2)]), upper};
  // Word order ("CAMPINAS AUTOPECAS LTDA"), where the place is a name of its own.
  if (market->kind_first && place[0] >= 'A' && place[0] <= 'Z')
    variants.push_back(FoldUpper(place + " " + kind) + std::string(market->legal_upper[0]));
  Buyer b;
  b.country = market->code;
  int spellings = 1 + static_cast<int>(dice.Below(4));
  // Always the company's own form or the plain upper-case one first; the others at random.
  b.spellings.push_back(variants[dice.Below(2)]);
  while (static_cast<int>(b.spellings.size()) < spellings) {
    const std::string& v = variants[dice.Below(variants.size())];
    if (std::find(b.spellings.begin(), b.spellings.end(), v) == b.spellings.end())
      b.spellings.push_back(v);
  }
  if (spellings >= 3 && dice.Chance(0.4)) {
    std::string typo = WithTypo(upper + std::string(market->legal_upper[0]), dice);
    if (std::find(b.spellings.begin(), b.spellings.end(), typo) == b.spellings.end()) {
      b.spellings.push_back(typo);
      b.last_is_typo = true;
    }
  }
  b.city = market->cities[dice.Below(market->cities.size())];
  std::string_view street = market->streets[dice.Below(market->streets.size())];
  int number = dice.Between(10, 9800);
  b.address = market->code == "US" || market->code == "CA" || market->code == "AU" ||
                      market->code == "ZA" || market->code == "GB"
                  ? std::to_string(number) + " " + std::string(street)
                  : std::string(street) + " " + std::to_string(number);
  b.port = market->ports[dice.Below(market->ports.size())];
  int brokers = 0;
  while (brokers < 6 && !market->notify[static_cast<size_t>(brokers)].empty()) ++brokers;
  b.broker = static_cast<int>(dice.Below(static_cast<uint64_t>(brokers)));
  b.notify_share = dice.Range(0.1, 0.95);
  int index = gen.AddBuyer(std::move(b));

  // Patterns: a few shipments now and then (research artifacts), a steady product importer, an
  // importer of tyres, filters or lamps only, or one that stopped a while ago.
  enum Pattern { kSporadic, kSteady, kNonProduct, kLapsed };
  static constexpr int kPatternWeights[] = {35, 30, 20, 15};
  int p = static_cast<int>(dice.Below(100)), pattern = 0;
  while (p >= kPatternWeights[pattern]) p -= kPatternWeights[pattern++];
  int streams = pattern == kSporadic ? 1 : dice.Between(1, 3);
  for (int i = 0; i < streams; ++i) {
    bool product = pattern != kNonProduct && (i == 0 || dice.Chance(0.7));
    int supplier = PickSupplier(dice, market->code, product);
    Category category = kSuppliers[supplier].category;
    const CategoryInfo& info = Info(category);
    int from = dice.Between(18, 35), to = 0;
    double rate = dice.Range(0.15, 0.7);
    if (pattern == kSporadic) {
      to = dice.Between(0, from);
      rate = dice.Range(0.04, 0.15);
    } else if (pattern == kLapsed) {
      to = dice.Between(13, 20);
      from = std::max(from, to + 6);
    } else {
      to = dice.Between(0, 2);
    }
    // A trend: growing or shrinking over the three years.
    double trend = dice.Range(-0.4, 0.6);
    double kg = dice.Range(info.kg_lo, info.kg_hi);
    for (int m = from; m >= to; --m) {
      int64_t day =
          gen.as_of_day() - (static_cast<int64_t>(std::lround(30.44 * m)) + dice.Between(1, 29));
      double chance = rate * info.season[static_cast<size_t>(Generator::MonthOf(day) - 1)] *
                      (1 + trend * (35 - m) / 35.0);
      if (!dice.Chance(chance)) continue;
      gen.Ship(index, supplier, category, day, kg * dice.Range(0.8, 1.2), -1, dice.Chance(0.08));
    }
  }
  // Every buyer ships at least once.
  if (gen.buyer(index).shipments == 0) {
    int supplier = PickSupplier(dice, market->code, pattern != kNonProduct);
    Category category = kSuppliers[supplier].category;
    int64_t day = gen.as_of_day() - dice.Between(10, 1090);
    gen.Ship(index, supplier, category, day, dice.Range(Info(category).kg_lo, Info(category).kg_hi),
             -1, false);
  }
  // A couple of cold leads the demo user could not reach.
  if (demo.access.size() < 21 && dice.Chance(0.04)) {
    demo.access.push_back(
        {std::string(market->code),
         gen.buyer(index).spellings[static_cast<size_t>(gen.buyer(index).first_spelling)], false,
         std::string(kNoAccessNotes[demo.access.size() % std::size(kNoAccessNotes)])});
  }
}

}  // namespace

TradeDemo GenerateTradeDemo(const TradeDemoOptions& options) {
  Generator gen(options);
  TradeDemo demo;
  std::vector<Story> stories = Stories();
  std::set<std::string> used;
  for (const Story& story : stories) {
    used.insert(FoldUpper(story.spellings.front()));
    AddStory(gen, story, demo);
  }
  int random_buyers = std::max(0, options.buyers - static_cast<int>(stories.size()));
  for (int i = 0; i < random_buyers; ++i) AddRandomBuyer(gen, used, demo);
  demo.rows = gen.rows();
  demo.shipments_csv = gen.WriteCsv();
  return demo;
}

}  // namespace leadq::service
