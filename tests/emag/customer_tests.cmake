# Customer analytics from orders written through OrderStore, against
# hand-computed fixtures, on SQLite and PostgreSQL (needs ERP_TEST_PG_URL).
erp_add_test(test_emag_customers SOURCES test_emag_customers.cpp LABELS "unit;postgresql"
  LIBS erp::emag_core SOCI::core)
