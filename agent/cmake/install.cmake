# Installs the agent: headers, static library, CMake package (actorscope::agent), pkg-config.
include(CMakePackageConfigHelpers)

# The wire codec the agent links comes along as its own archive (linked for you by the
# CMake package and by pkg-config).
install(TARGETS actorscope_agent actorscope_agent_shared actorscope_protocol EXPORT actorscopeTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT agent
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT agent NAMELINK_COMPONENT agent
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES
    ${CMAKE_CURRENT_SOURCE_DIR}/include/actorscope/agent.h
    ${CMAKE_CURRENT_SOURCE_DIR}/include/actorscope/agent.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/actorscope COMPONENT agent)

set(_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/actorscope)
install(EXPORT actorscopeTargets NAMESPACE actorscope:: DESTINATION ${_cmake_dir} COMPONENT agent)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/actorscopeConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/actorscopeConfig.cmake
  INSTALL_DESTINATION ${_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/actorscopeConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES
    ${CMAKE_CURRENT_BINARY_DIR}/actorscopeConfig.cmake
    ${CMAKE_CURRENT_BINARY_DIR}/actorscopeConfigVersion.cmake
  DESTINATION ${_cmake_dir} COMPONENT agent)

# The .pc file finds its prefix relative to itself, so the tree can be installed anywhere.
file(RELATIVE_PATH ACTORSCOPE_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" ACTORSCOPE_PC_TO_PREFIX "${ACTORSCOPE_PC_TO_PREFIX}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/actorscope-agent.pc.in
  ${CMAKE_CURRENT_BINARY_DIR}/actorscope-agent.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/actorscope-agent.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT agent)
