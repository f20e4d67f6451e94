# trade/screen: signals, the five criteria, tiers and the shortlist order. Included from
# src/trade/CMakeLists.txt (no scope of its own).
set(TRADE_SCREEN_SOURCES ports.cc screen.cc shipments.cc)

leadq_test(trade_screen_test
  SOURCES screen_test.cc
  DEPS leadq_trade
  LABELS unit)
