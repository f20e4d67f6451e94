list(APPEND SERVICE_API_SOURCES ingest.cc)
list(APPEND SERVICE_API_TESTS ingest_test.cc)
