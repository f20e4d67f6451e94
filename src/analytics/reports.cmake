# Report computations (calibration, funnel, thresholds, HTML): sources of leadq_analytics and
# their tests. Included before leadq_library(analytics ...); the test names the library target,
# which CMake resolves when it generates the build.
list(APPEND ANALYTICS_REPORT_SOURCES
  calibration.cc
  funnel.cc
  html_report.cc
  report_text.cc
  svg.cc
  thresholds.cc)

leadq_test(analytics_reports_test
  SOURCES reports_test.cc
  DEPS leadq_analytics
  LABELS unit)
