#include "trade/ports.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "core/text.h"

namespace leadq::trade {
namespace {

using Pair = std::pair<std::string_view, std::string_view>;

// Main container ports (upper case) and their countries.
constexpr std::array kPorts = {
    Pair{"HAMBURG", "DE"},       Pair{"BREMERHAVEN", "DE"},     Pair{"BREMEN", "DE"},
    Pair{"WILHELMSHAVEN", "DE"}, Pair{"ROTTERDAM", "NL"},       Pair{"AMSTERDAM", "NL"},
    Pair{"ANTWERP", "BE"},       Pair{"ANTWERPEN", "BE"},       Pair{"ZEEBRUGGE", "BE"},
    Pair{"LE HAVRE", "FR"},      Pair{"MARSEILLE", "FR"},       Pair{"FOS SUR MER", "FR"},
    Pair{"FELIXSTOWE", "GB"},    Pair{"SOUTHAMPTON", "GB"},     Pair{"LONDON GATEWAY", "GB"},
    Pair{"GENOA", "IT"},         Pair{"GENOVA", "IT"},          Pair{"LA SPEZIA", "IT"},
    Pair{"LIVORNO", "IT"},       Pair{"TRIESTE", "IT"},         Pair{"GIOIA TAURO", "IT"},
    Pair{"VALENCIA", "ES"},      Pair{"BARCELONA", "ES"},       Pair{"ALGECIRAS", "ES"},
    Pair{"LISBON", "PT"},        Pair{"SINES", "PT"},           Pair{"GDANSK", "PL"},
    Pair{"GDYNIA", "PL"},        Pair{"SZCZECIN", "PL"},        Pair{"KOPER", "SI"},
    Pair{"PIRAEUS", "GR"},       Pair{"GOTHENBURG", "SE"},      Pair{"AARHUS", "DK"},
    Pair{"SHANGHAI", "CN"},      Pair{"NINGBO", "CN"},          Pair{"SHENZHEN", "CN"},
    Pair{"YANTIAN", "CN"},       Pair{"QINGDAO", "CN"},         Pair{"TIANJIN", "CN"},
    Pair{"XIAMEN", "CN"},        Pair{"GUANGZHOU", "CN"},       Pair{"DALIAN", "CN"},
    Pair{"HONG KONG", "HK"},     Pair{"KAOHSIUNG", "TW"},       Pair{"KEELUNG", "TW"},
    Pair{"BUSAN", "KR"},         Pair{"PUSAN", "KR"},           Pair{"INCHEON", "KR"},
    Pair{"YOKOHAMA", "JP"},      Pair{"TOKYO", "JP"},           Pair{"NAGOYA", "JP"},
    Pair{"KOBE", "JP"},          Pair{"OSAKA", "JP"},           Pair{"SINGAPORE", "SG"},
    Pair{"PORT KLANG", "MY"},    Pair{"TANJUNG PELEPAS", "MY"}, Pair{"LAEM CHABANG", "TH"},
    Pair{"HAIPHONG", "VN"},      Pair{"HO CHI MINH", "VN"},     Pair{"CAI MEP", "VN"},
    Pair{"NHAVA SHEVA", "IN"},   Pair{"MUNDRA", "IN"},          Pair{"CHENNAI", "IN"},
    Pair{"JAKARTA", "ID"},       Pair{"MANILA", "PH"},          Pair{"COLOMBO", "LK"},
    Pair{"JEBEL ALI", "AE"},     Pair{"DUBAI", "AE"},           Pair{"MERSIN", "TR"},
    Pair{"ISTANBUL", "TR"},      Pair{"SANTOS", "BR"},          Pair{"PARANAGUA", "BR"},
    Pair{"ITAJAI", "BR"},        Pair{"RIO DE JANEIRO", "BR"},  Pair{"BUENOS AIRES", "AR"},
    Pair{"VERACRUZ", "MX"},      Pair{"MANZANILLO", "MX"},      Pair{"LAZARO CARDENAS", "MX"},
    Pair{"ALTAMIRA", "MX"},      Pair{"CARTAGENA", "CO"},       Pair{"CALLAO", "PE"},
    Pair{"SAN ANTONIO", "CL"},   Pair{"VALPARAISO", "CL"},      Pair{"COLON", "PA"},
    Pair{"BALBOA", "PA"},        Pair{"HALIFAX", "CA"},         Pair{"VANCOUVER", "CA"},
    Pair{"MONTREAL", "CA"},      Pair{"NEW YORK", "US"},        Pair{"NEWARK", "US"},
    Pair{"SAVANNAH", "US"},      Pair{"CHARLESTON", "US"},      Pair{"NORFOLK", "US"},
    Pair{"BALTIMORE", "US"},     Pair{"HOUSTON", "US"},         Pair{"LOS ANGELES", "US"},
    Pair{"LONG BEACH", "US"},    Pair{"OAKLAND", "US"},         Pair{"SEATTLE", "US"},
    Pair{"TACOMA", "US"},        Pair{"DURBAN", "ZA"},          Pair{"TANGIER", "MA"},
    Pair{"PORT SAID", "EG"},     Pair{"MELBOURNE", "AU"},       Pair{"SYDNEY", "AU"},
};

// Country names as manifests write them.
constexpr std::array kCountries = {
    Pair{"GERMANY", "DE"},
    Pair{"FEDERAL REPUBLIC OF GERMANY", "DE"},
    Pair{"NETHERLANDS", "NL"},
    Pair{"THE NETHERLANDS", "NL"},
    Pair{"BELGIUM", "BE"},
    Pair{"FRANCE", "FR"},
    Pair{"UNITED KINGDOM", "GB"},
    Pair{"UK", "GB"},
    Pair{"ITALY", "IT"},
    Pair{"SPAIN", "ES"},
    Pair{"PORTUGAL", "PT"},
    Pair{"POLAND", "PL"},
    Pair{"SLOVENIA", "SI"},
    Pair{"GREECE", "GR"},
    Pair{"SWEDEN", "SE"},
    Pair{"DENMARK", "DK"},
    Pair{"CHINA", "CN"},
    Pair{"PEOPLES REPUBLIC OF CHINA", "CN"},
    Pair{"HONG KONG", "HK"},
    Pair{"TAIWAN", "TW"},
    Pair{"SOUTH KOREA", "KR"},
    Pair{"KOREA", "KR"},
    Pair{"REPUBLIC OF KOREA", "KR"},
    Pair{"JAPAN", "JP"},
    Pair{"SINGAPORE", "SG"},
    Pair{"MALAYSIA", "MY"},
    Pair{"THAILAND", "TH"},
    Pair{"VIETNAM", "VN"},
    Pair{"VIET NAM", "VN"},
    Pair{"INDIA", "IN"},
    Pair{"INDONESIA", "ID"},
    Pair{"PHILIPPINES", "PH"},
    Pair{"SRI LANKA", "LK"},
    Pair{"UNITED ARAB EMIRATES", "AE"},
    Pair{"TURKEY", "TR"},
    Pair{"TURKIYE", "TR"},
    Pair{"BRAZIL", "BR"},
    Pair{"ARGENTINA", "AR"},
    Pair{"MEXICO", "MX"},
    Pair{"COLOMBIA", "CO"},
    Pair{"PERU", "PE"},
    Pair{"CHILE", "CL"},
    Pair{"PANAMA", "PA"},
    Pair{"CANADA", "CA"},
    Pair{"UNITED STATES", "US"},
    Pair{"USA", "US"},
    Pair{"SOUTH AFRICA", "ZA"},
    Pair{"MOROCCO", "MA"},
    Pair{"EGYPT", "EG"},
    Pair{"AUSTRALIA", "AU"},
};

template <size_t N>
std::string_view Lookup(const std::array<Pair, N>& table, std::string_view key) {
  for (const Pair& p : table) {
    if (p.first == key) return p.second;
  }
  return {};
}

// Upper case, punctuation other than letters and digits as single spaces, trimmed.
std::string Canonical(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) {
      out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string_view PortCountry(std::string_view port) {
  std::string_view text = Trim(port);
  if (text.empty()) return {};
  // "PORT, COUNTRY" or "PORT (COUNTRY)": the country part decides when it is known.
  size_t cut = text.find_first_of(",(");
  if (cut != std::string_view::npos) {
    std::string country = Canonical(text.substr(cut + 1));
    std::string_view code = Lookup(kCountries, country);
    if (!code.empty()) return code;
    text = text.substr(0, cut);
  }
  std::string name = Canonical(text);
  std::string_view code = Lookup(kPorts, name);
  if (!code.empty()) return code;
  return Lookup(kCountries, name);
}

}  // namespace leadq::trade
