# The tag, its iframe page and the demo customer page (resources/web), served by the DCS at
# /tag.js, /dest.html and /demo (tagassets.h). Included from core/dcs/CMakeLists.txt.
#
# dcs_core is a static library: qt_add_resources on it builds the resource into an object
# library that is linked, as objects, into every executable using Dcs::Core (dcs-studio and the
# tests), so its static initializer registers :/web at start-up without a Q_INIT_RESOURCE.
target_sources(dcs_core PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/tagassets.h
    ${CMAKE_CURRENT_LIST_DIR}/tagassets.cpp)
qt_add_resources(dcs_core "dcs_web"
    PREFIX "/web"
    BASE "${PROJECT_SOURCE_DIR}/resources/web"
    FILES
        "${PROJECT_SOURCE_DIR}/resources/web/tag.js"
        "${PROJECT_SOURCE_DIR}/resources/web/dest.html"
        "${PROJECT_SOURCE_DIR}/resources/web/demo.html")
