# erp_add_test(...) for the monitor suites
