# Workspace reports (funnel, calibration, thresholds, HTML): sources of leadq_service and their
# tests. Included before leadq_library(service ...).
list(APPEND SERVICE_REPORT_SOURCES reports.cc)
