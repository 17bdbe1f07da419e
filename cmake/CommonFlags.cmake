# One INTERFACE target carries the project's warnings and Qt strictness definitions, so every
# library, executable and test gets exactly the same rules (pattern from qBittorrent's CommonConfig).
add_library(dcs_common_flags INTERFACE)
add_library(Dcs::CommonFlags ALIAS dcs_common_flags)

target_compile_options(dcs_common_flags INTERFACE
    -Wall -Wextra -Wpedantic
    -Wcast-align -Wnon-virtual-dtor -Woverloaded-virtual -Wshadow=local
    $<$<BOOL:${DCS_WERROR}>:-Werror>)

target_compile_definitions(dcs_common_flags INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_URL_CAST_FROM_STRING
    QT_USE_QSTRINGBUILDER
    QT_NO_KEYWORDS
    QT_NO_FOREACH
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    DCS_VERSION="${PROJECT_VERSION}")
