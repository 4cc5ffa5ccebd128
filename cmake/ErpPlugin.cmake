# erp_plugin_target(<target>)
#
# Makes <target> (a SHARED library) a well-behaved plugin: hidden visibility,
# only erp_plugin_entry exported (linker version script), no undefined symbols.
function(erp_plugin_target target)
  set_target_properties(${target} PROPERTIES
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_options(${target} PRIVATE
    "-Wl,--version-script=${PROJECT_SOURCE_DIR}/cmake/plugin_exports.map"
    "-Wl,--no-undefined")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/plugin_exports.map)
endfunction()

# erp_stage_plugin(<target> MANIFEST <manifest.json> [ID <dir-name>])
#
# erp_plugin_target(<target>), and after each build stages the library as
# ${ERP_PLUGIN_STAGE_DIR}/<id>/{lib..., manifest.json} with the manifest's
# "library" and "sha256" filled in from the built file.
function(erp_stage_plugin target)
  cmake_parse_arguments(ARG "" "MANIFEST;ID" "" ${ARGN})
  if(NOT ARG_MANIFEST)
    message(FATAL_ERROR "erp_stage_plugin(${target}): MANIFEST is required")
  endif()
  if(NOT ARG_ID)
    file(READ ${ARG_MANIFEST} _manifest_text)
    string(JSON ARG_ID GET "${_manifest_text}" id)
  endif()
  erp_plugin_target(${target})
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND}
      -DLIBRARY=$<TARGET_FILE:${target}>
      -DMANIFEST=${ARG_MANIFEST}
      -DDEST=${ERP_PLUGIN_STAGE_DIR}/${ARG_ID}
      -P ${PROJECT_SOURCE_DIR}/cmake/stage_plugin.cmake
    VERBATIM)
endfunction()
