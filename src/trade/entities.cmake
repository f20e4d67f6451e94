# trade/entities: buyer and supplier entity resolution (SHIPMENTS.md "Buyers"). Included from
# src/trade/CMakeLists.txt (no scope of its own).
set(TRADE_ENTITIES_SOURCES entities.cc)

# The resolution of 200,000 spellings is the size test's point; unoptimised it takes ten times
# longer, so entities.cc is compiled with -O2 even in Debug builds (the sanitizers still
# instrument it), as analytics does for its numeric sources.
set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/entities.cc
  PROPERTIES COMPILE_OPTIONS "$<$<CONFIG:Debug>:-O2>")

leadq_test(trade_entities_test
  SOURCES entities_test.cc
  DEPS leadq_trade
  LABELS unit)
