# Predictive models (learn, predict): sources of leadq_analytics and their tests.
