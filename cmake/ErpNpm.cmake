# npm packages for the admin pages and the browser tests, installed from
# their lockfiles (package-lock.json, exact versions) by `npm ci`.
#
# erp_npm_ci(<target> <package dir>)
#
# Adds <target>, which runs `npm ci` in <package dir> when its lockfile is
# newer than the installed tree (node_modules/.package-lock.json, which npm
# writes last) — so a build that changed nothing does not touch the network.
# node_modules stays in the package directory (git-ignored), where Node's
# module resolution finds it for the scripts beside it.

find_program(ERP_NODE node)
find_program(ERP_NPM npm)

function(erp_npm_ci target dir)
  if(NOT ERP_NODE OR NOT ERP_NPM)
    message(FATAL_ERROR "erp_npm_ci(${target}): node and npm are needed (scripts/install-deps.sh installs them), "
                        "or configure with -DERP_BUILD_WEB=OFF")
  endif()
  set(stamp ${dir}/node_modules/.package-lock.json)
  add_custom_command(
    OUTPUT ${stamp}
    COMMAND ${ERP_NPM} ci --no-audit --no-fund --loglevel=error
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    WORKING_DIRECTORY ${dir}
    DEPENDS ${dir}/package.json ${dir}/package-lock.json
    COMMENT "npm ci in ${dir}"
    VERBATIM)
  add_custom_target(${target} DEPENDS ${stamp})
endfunction()
