# Sandbox suites (registered from tests/CMakeLists.txt, which defines erp_add_test).
