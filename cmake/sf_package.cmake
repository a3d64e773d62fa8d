# Install rules and the Debian package: `make install` (cmake --install) and `make deb`
# (cpack -G DEB). Layout, units and hardening: docs/packaging.md. Only the slsfwd component
# is installed or packaged, so the test tools (sls-emulator, hec-receiver, seqcheck) never
# reach a host even if they gain install rules of their own.
include(GNUInstallDirs)

set(SF_INSTALL_CONFDIR "" CACHE STRING
  "Directory of slsfwd.yaml; empty: /etc/slsfwd for prefix /usr, else PREFIX/etc/slsfwd")
set(SF_INSTALL_UNITDIR "" CACHE STRING
  "systemd unit directory; empty: /lib/systemd/system for prefix /usr, else PREFIX/lib/systemd/system")
set(SF_DEB_MAINTAINER "slsfwd maintainers <maintainers@users.noreply.r-seed-0bbf9f36.example>"
  CACHE STRING "Maintainer field of the .deb")

# Directories created by the install get 0755 whatever the umask of the person building.
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

install(TARGETS slsfwd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT slsfwd)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/CONFIGURATION.md
  ${CMAKE_SOURCE_DIR}/docs/packaging.md ${CMAKE_SOURCE_DIR}/docs/operations.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT slsfwd)
# Monitoring, for the operator to copy into Prometheus and Grafana (docs/operations.md):
# /usr/share/slsfwd/prometheus/slsfwd-rules.yaml and every dashboard in packaging/grafana/.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/prometheus/slsfwd-rules.yaml
  DESTINATION ${CMAKE_INSTALL_DATADIR}/slsfwd/prometheus COMPONENT slsfwd)
file(GLOB sf_grafana_dashboards ${CMAKE_SOURCE_DIR}/packaging/grafana/*.json)
if(sf_grafana_dashboards)
  install(FILES ${sf_grafana_dashboards}
    DESTINATION ${CMAKE_INSTALL_DATADIR}/slsfwd/grafana COMPONENT slsfwd)
endif()
install(FILES ${CMAKE_SOURCE_DIR}/etc/slsfwd.example.yaml
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT slsfwd)
# Configuration and units: their paths depend on the prefix chosen at install time.
install(CODE "
  set(SF_SOURCE_DIR \"${CMAKE_SOURCE_DIR}\")
  set(SF_BINARY_DIR \"${CMAKE_BINARY_DIR}\")
  set(SF_INSTALL_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
  set(SF_INSTALL_DOCDIR \"${CMAKE_INSTALL_DOCDIR}\")
  set(SF_INSTALL_CONFDIR \"${SF_INSTALL_CONFDIR}\")
  set(SF_INSTALL_UNITDIR \"${SF_INSTALL_UNITDIR}\")
  include(\"${CMAKE_SOURCE_DIR}/packaging/install-files.cmake\")
  " COMPONENT slsfwd)

# The .deb: build/slsfwd_<version>_<arch>.deb, prefix /usr, Depends from dpkg-shlibdeps.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME slsfwd)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${SF_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "forwards Alibaba Cloud SLS logs to Splunk HEC")
set(CPACK_PACKAGE_DESCRIPTION
  "slsfwd joins Alibaba Cloud Log Service (SLS) consumer groups, pulls the shards it is given\n"
  "and delivers every log to Splunk HTTP Event Collector, committing the group's checkpoint\n"
  "only after Splunk has confirmed the data: no loss, bounded duplicates. Several processes\n"
  "in the same consumer group share the shards of a logstore.\n"
  "The service is installed but neither enabled nor started: edit /etc/slsfwd/slsfwd.yaml,\n"
  "run `slsfwd check -c /etc/slsfwd/slsfwd.yaml`, then `systemctl enable --now slsfwd`.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};${PROJECT_NAME};slsfwd;/")
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SF_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Added to what dpkg-shlibdeps finds: adduser for the postinst; CA certificates for HTTPS to
# SLS and Splunk Cloud with the system store.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles
  ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
  ${CMAKE_SOURCE_DIR}/packaging/debian/prerm
  ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
