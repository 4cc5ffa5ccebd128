# Sandbox suites (registered from tests/CMakeLists.txt, which defines erp_add_test).
erp_add_test(test_sandbox_http SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/emag_sandbox/test_sandbox_http.cpp LIBS emag_sandbox_server LABELS integration)
erp_add_test(test_sandbox_core SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/emag_sandbox/test_sandbox_core.cpp LIBS emag_sandbox_core LABELS unit)
erp_add_test(test_sandbox_cli SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/emag_sandbox/test_sandbox_cli.cpp LABELS integration
  DEPENDS emag-sandbox)
target_compile_definitions(test_sandbox_cli PRIVATE EMAG_SANDBOX_BIN="$<TARGET_FILE:emag-sandbox>")
