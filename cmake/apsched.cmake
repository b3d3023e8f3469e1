# Helpers for building plugins and job libraries against the SDK alone.

# apsched_add_plugin(<kind> <type> SOURCES ... [LIBRARIES ...])
# Builds <kind>_<type>.so (kind: trigger, store or executor) into the plugin directory.
function(apsched_add_plugin kind type)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  set(target apsched_${kind}_${type})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE apsched::sdk ${ARG_LIBRARIES})
  set_target_properties(${target} PROPERTIES
    PREFIX "" OUTPUT_NAME ${kind}_${type}
    LIBRARY_OUTPUT_DIRECTORY ${APSCHED_PLUGIN_OUTPUT_DIR})
  # -z defs: a plugin that reaches for a kernel symbol fails to link.
  target_link_options(${target} PRIVATE -Wl,-z,defs -Wl,--exclude-libs,ALL)
endfunction()

# apsched_add_job_library(<name> SOURCES ... [OUTPUT_DIRECTORY dir] [LIBRARIES ...])
# Builds lib<name>.so; its jobs are referred to as "<name>:<function>".
function(apsched_add_job_library name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY ${APSCHED_JOBS_OUTPUT_DIR})
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE apsched::sdk ${ARG_LIBRARIES})
  set_target_properties(${name} PROPERTIES PREFIX "lib" LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  target_link_options(${name} PRIVATE -Wl,-z,defs -Wl,--exclude-libs,ALL)
endfunction()
