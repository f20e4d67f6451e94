# The synthetic customs records of `leadq trade demo` (trade_demo.h): the source of leadq_service
# and its unit test. Included from src/service/CMakeLists.txt before leadq_library(service ...),
# which adds ${SERVICE_TRADE_DEMO_SOURCES} to its sources.
set(SERVICE_TRADE_DEMO_SOURCES trade_demo.cc)

leadq_test(trade_demo_test
  SOURCES trade_demo_test.cc
  DEPS leadq_service
  LABELS unit)
