# C++ test plugins built with erp_plugin.hpp's ERP_CPP_PLUGIN macro. Included
# by tests/plugins/CMakeLists.txt after it has created erp_test_plugins; each
# library lands in this directory's binary dir (ERP_TEST_PLUGIN_DIR), where
# erp::test::test_plugin_library() finds it.

# bad_init_throws: init throws std::runtime_error("boom: init failed on purpose").
add_library(bad_init_throws SHARED ${CMAKE_CURRENT_LIST_DIR}/bad_init_throws.cpp)
set_target_properties(bad_init_throws PROPERTIES
  OUTPUT_NAME bad_init_throws
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
target_link_libraries(bad_init_throws PRIVATE erp::plugin_api)
erp_plugin_target(bad_init_throws)
add_dependencies(erp_test_plugins bad_init_throws)
