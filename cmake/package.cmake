# Packages (make package): two .debs built by CPack from the install rules.
#   actorscope               programs, systemd unit, service user, defaults, man pages, docs
#   libactorscope-agent-dev  agent headers, static and shared library, CMake package, pkg-config
include(GNUInstallDirs)
# make install / make package build first (see the Makefile); CPack itself never starts a
# build, so packaging an already built tree is quick.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# The service: unit, user, defaults (flags), and the deploy examples for Prometheus/Grafana.
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/actorscope-collector.service
  DESTINATION lib/systemd/system COMPONENT actorscope)
# The configuration the unit reads (a conffile: an upgrade keeps the operator's edits).
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/collector.conf
  DESTINATION /etc/actorscope COMPONENT actorscope)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/actorscope.sysusers
  DESTINATION lib/sysusers.d RENAME actorscope.conf COMPONENT actorscope)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/actorscope-collector.default
    ${PROJECT_SOURCE_DIR}/deploy/prometheus.yml
    ${PROJECT_SOURCE_DIR}/deploy/actorscope-alerts.yml
    ${PROJECT_SOURCE_DIR}/deploy/grafana/actorscope.json
    ${PROJECT_SOURCE_DIR}/deploy/grafana/actorscope-beam.json
    ${PROJECT_SOURCE_DIR}/README.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT actorscope)

# Man pages from each program's --help (help2man), so they never drift from the program.
find_program(ACTORSCOPE_HELP2MAN help2man REQUIRED)
set(_man_pages)
foreach(_prog IN ITEMS actorscope-collector actorscope-top actorscope-loadgen)
  set(_page ${CMAKE_CURRENT_BINARY_DIR}/man/${_prog}.1.gz)
  add_custom_command(OUTPUT ${_page}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/man
    COMMAND ${ACTORSCOPE_HELP2MAN} --no-info --no-discard-stderr --version-string=${PROJECT_VERSION}
            --output=${CMAKE_CURRENT_BINARY_DIR}/man/${_prog}.1 $<TARGET_FILE:${_prog}>
    COMMAND gzip -9nf ${CMAKE_CURRENT_BINARY_DIR}/man/${_prog}.1
    DEPENDS ${_prog} COMMENT "Man page of ${_prog}")
  list(APPEND _man_pages ${_page})
endforeach()
add_custom_target(actorscope-man-pages ALL DEPENDS ${_man_pages})
install(FILES ${_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT actorscope)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME actorscope)
set(CPACK_PACKAGE_VENDOR "actorscope")
set(CPACK_PACKAGE_CONTACT "actorscope maintainers <maintainers@actorscope.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "observer for actor-runtime applications")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL actorscope agent)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_ACTORSCOPE_PACKAGE_NAME actorscope)
set(CPACK_DEBIAN_ACTORSCOPE_PACKAGE_SECTION admin)
set(CPACK_COMPONENT_ACTORSCOPE_DESCRIPTION
  "observer for actor-runtime applications\n The collector daemon (live model, Prometheus metrics, systemd service), the\n terminal and desktop viewers, and the load generator.")
set(CPACK_DEBIAN_ACTORSCOPE_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/deploy/systemd/postinst
  ${PROJECT_SOURCE_DIR}/deploy/systemd/conffiles)
set(CPACK_DEBIAN_AGENT_PACKAGE_NAME libactorscope-agent-dev)
set(CPACK_COMPONENT_AGENT_DESCRIPTION
  "actorscope agent library (development files)\n Headers, static and shared library, CMake package and pkg-config file of the\n agent that an actor runtime links to report to an actorscope collector.")
include(CPack)
