# Report computations (calibration, funnel, thresholds, HTML): sources of leadq_analytics and
# their tests.
