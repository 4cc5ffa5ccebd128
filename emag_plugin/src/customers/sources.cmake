# target_sources(emag_core PRIVATE ...) for src/customers
