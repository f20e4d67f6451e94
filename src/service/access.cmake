list(APPEND SERVICE_API_SOURCES access.cc)
list(APPEND SERVICE_API_TESTS access_test.cc)
