# erp_add_test(...) for the customer suites
