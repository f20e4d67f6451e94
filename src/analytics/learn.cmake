# Predictive models (learn, predict): sources of leadq_analytics and their tests.
# This file is included before leadq_library(analytics) is defined; the tests below name
# leadq_analytics, which CMake resolves when it generates the build.
set(ANALYTICS_LEARN_SOURCES
  gbdt.cc
  learned_model.cc
  logistic.cc
  predictor.cc)

leadq_test(analytics_learn_test
  SOURCES gbdt_test.cc logistic_test.cc predictor_test.cc
  DEPS leadq_analytics
  LABELS unit)
