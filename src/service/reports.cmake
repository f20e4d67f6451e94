# Workspace reports (funnel, calibration, thresholds, HTML): sources of leadq_service and their
# tests.
