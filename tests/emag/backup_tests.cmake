# erp_add_test(...) for the backup suites
