# Predictive models (learn, predict): sources of leadq_analytics and their tests.
# This file is included before leadq_library(analytics) is defined; the tests below name
# leadq_analytics, which CMake resolves when it generates the build.
set(ANALYTICS_LEARN_SOURCES
  gbdt.cc
  learned_model.cc
  logistic.cc
  learn.cc
  predictor.cc)

leadq_test(analytics_learn_test
  SOURCES gbdt_test.cc learn_test.cc logistic_test.cc predictor_test.cc
  DEPS leadq_analytics
  LABELS unit)

# Eigen's templates are 50 to 100 times slower unoptimised: the numeric sources are compiled
# with -O2 even in Debug builds (sanitizers still instrument them), so that the learning tests
# on real data run in seconds under the dev preset.
set_source_files_properties(
  ${CMAKE_CURRENT_SOURCE_DIR}/logistic.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/learn.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/gbdt.cc
  PROPERTIES COMPILE_OPTIONS "$<$<CONFIG:Debug>:-O2>")
