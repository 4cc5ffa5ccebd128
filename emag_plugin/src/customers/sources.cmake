# Customer analytics (issue 8): the rules, the incremental updater, the routes.
target_sources(emag_core PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/customer_rules.cpp
  ${CMAKE_CURRENT_LIST_DIR}/customer_analytics.cpp
  ${CMAKE_CURRENT_LIST_DIR}/customer_routes.cpp
  ${CMAKE_CURRENT_LIST_DIR}/../store/customer_store.cpp)
