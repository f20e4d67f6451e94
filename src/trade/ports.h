// The country of a port of lading, for manifests that carry no country of origin (US AMS data).
//
// A small built-in table of the world's main container ports and their countries, and the
// country names that manifests append ("HAMBURG, GERMANY"). Pure and thread-safe.
//
// Example:
//   PortCountry("HAMBURG, GERMANY") == "DE";  PortCountry("Shanghai") == "CN";
//   PortCountry("SOMEWHERE") == ""
#pragma once

#include <string_view>

namespace leadq::trade {

// The ISO alpha-2 country of a port written as "PORT", "PORT, COUNTRY" or "PORT (COUNTRY)", any
// case; "" when neither the port nor the country is known.
std::string_view PortCountry(std::string_view port);

}  // namespace leadq::trade
