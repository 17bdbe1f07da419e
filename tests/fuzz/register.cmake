# libFuzzer targets in CTest. Included from tests/CMakeLists.txt:
#
#   fuzz_build               configures and builds tests/fuzz (its own project: libFuzzer needs
#                            clang, the main build uses g++) into ${CMAKE_BINARY_DIR}/fuzz
#   fuzz_<target>            runs that fuzzer for DCS_FUZZ_SECONDS on a fresh copy of its seed
#                            corpus, so new inputs never land in the source tree
#
# Without a working clang++ and libFuzzer runtime, one fuzz_build test is registered that fails
# and names the Debian packages to install: a missing toolchain must not pass unnoticed.
# `ctest -LE fuzz` leaves the fuzzers out of a quick local run.
#
# This file is also the script (cmake -P) that those tests run; DCS_FUZZ_ACTION says which step.

if(CMAKE_SCRIPT_MODE_FILE)
    if(DCS_FUZZ_ACTION STREQUAL "fail")
        message(FATAL_ERROR "${DCS_FUZZ_MESSAGE}")
    elseif(DCS_FUZZ_ACTION STREQUAL "build")
        set(configure "${CMAKE_COMMAND}" -S "${DCS_FUZZ_SOURCE_DIR}" -B "${DCS_FUZZ_BINARY_DIR}"
            -G "${DCS_FUZZ_GENERATOR}" "-DCMAKE_CXX_COMPILER=${DCS_FUZZ_CXX}"
            "-DQt6_DIR=${DCS_FUZZ_QT6_DIR}")
        if(DCS_FUZZ_LAUNCHER)
            list(APPEND configure "-DCMAKE_CXX_COMPILER_LAUNCHER=${DCS_FUZZ_LAUNCHER}")
        endif()
        execute_process(COMMAND ${configure} RESULT_VARIABLE result)
        if(NOT result EQUAL 0)
            message(FATAL_ERROR "configuring the fuzz project failed (${result})")
        endif()
        # Two jobs: the machines this runs on have two cores.
        execute_process(COMMAND "${CMAKE_COMMAND}" --build "${DCS_FUZZ_BINARY_DIR}" -j 2
                        RESULT_VARIABLE result)
        if(NOT result EQUAL 0)
            message(FATAL_ERROR "building the fuzz targets failed (${result})")
        endif()
    elseif(DCS_FUZZ_ACTION STREQUAL "run")
        # A fresh writable copy of the seeds each run: libFuzzer adds what it finds to it.
        set(work "${DCS_FUZZ_BINARY_DIR}/run/${DCS_FUZZ_TARGET}")
        file(REMOVE_RECURSE "${work}")
        file(MAKE_DIRECTORY "${work}/corpus" "${work}/artifacts")
        file(GLOB seeds "${DCS_FUZZ_SEEDS}/*")
        file(COPY ${seeds} DESTINATION "${work}/corpus")
        execute_process(
            COMMAND "${DCS_FUZZ_BINARY_DIR}/${DCS_FUZZ_TARGET}"
                    -max_total_time=${DCS_FUZZ_SECONDS} -timeout=5 -print_final_stats=1
                    "-artifact_prefix=${work}/artifacts/" "${work}/corpus"
            WORKING_DIRECTORY "${work}"
            RESULT_VARIABLE result)
        if(NOT result EQUAL 0)
            message(FATAL_ERROR "${DCS_FUZZ_TARGET} failed (${result}); the input that "
                                "triggered it is in ${work}/artifacts/")
        endif()
    else()
        message(FATAL_ERROR "unknown DCS_FUZZ_ACTION '${DCS_FUZZ_ACTION}'")
    endif()
    return()
endif()

option(DCS_FUZZ_TESTS "Build and briefly run the libFuzzer targets as CTest tests" ON)
set(DCS_FUZZ_SECONDS 30 CACHE STRING "How long each fuzzer runs under CTest, in seconds")
if(NOT DCS_FUZZ_TESTS)
    return()
endif()

set(DCS_FUZZ_PACKAGES "clang libclang-rt-14-dev")
find_program(DCS_FUZZ_CXX NAMES clang++ clang++-14 clang++-15 clang++-16
             DOC "clang++ for the libFuzzer targets")

# clang++ alone is not enough: libFuzzer's runtime is a separate package on Debian. Linking a
# one-line fuzzer tells at configure time, in well under a second.
set(DCS_FUZZ_PROBLEM "")
if(NOT DCS_FUZZ_CXX)
    set(DCS_FUZZ_PROBLEM "clang++ was not found")
elseif(NOT DEFINED CACHE{DCS_FUZZ_TOOLCHAIN_OK} OR NOT DCS_FUZZ_TOOLCHAIN_OK)
    set(dcs_fuzz_probe "${CMAKE_CURRENT_BINARY_DIR}/fuzz-probe")
    file(MAKE_DIRECTORY "${dcs_fuzz_probe}")
    file(WRITE "${dcs_fuzz_probe}/probe.cpp"
         "extern \"C\" int LLVMFuzzerTestOneInput(const unsigned char *, unsigned long)"
         " { return 0; }\n")
    execute_process(
        COMMAND "${DCS_FUZZ_CXX}" -fsanitize=fuzzer,address,undefined probe.cpp -o probe
        WORKING_DIRECTORY "${dcs_fuzz_probe}"
        RESULT_VARIABLE dcs_fuzz_probe_result OUTPUT_QUIET ERROR_VARIABLE dcs_fuzz_probe_error)
    if(dcs_fuzz_probe_result EQUAL 0)
        set(DCS_FUZZ_TOOLCHAIN_OK ON CACHE INTERNAL "clang++ links libFuzzer programs")
    else()
        # The last line of the linker's complaint, made safe to pass as one test argument.
        string(STRIP "${dcs_fuzz_probe_error}" dcs_fuzz_probe_error)
        string(REGEX REPLACE ".*\n" "" dcs_fuzz_probe_error "${dcs_fuzz_probe_error}")
        string(REPLACE ";" "," dcs_fuzz_probe_error "${dcs_fuzz_probe_error}")
        if(NOT dcs_fuzz_probe_error)
            set(dcs_fuzz_probe_error "exit status ${dcs_fuzz_probe_result}")
        endif()
        set(DCS_FUZZ_PROBLEM
            "${DCS_FUZZ_CXX} cannot link a libFuzzer program (${dcs_fuzz_probe_error})")
    endif()
endif()

if(DCS_FUZZ_PROBLEM)
    string(CONCAT dcs_fuzz_message
        "libFuzzer targets cannot be built: ${DCS_FUZZ_PROBLEM}. "
        "Install the Debian packages ${DCS_FUZZ_PACKAGES} "
        "(apt-get install ${DCS_FUZZ_PACKAGES}), which scripts/lib.sh lists in TEST_PACKAGES, "
        "then configure again. -DDCS_FUZZ_TESTS=OFF leaves the fuzzers out on purpose.")
    add_test(NAME fuzz_build
             COMMAND "${CMAKE_COMMAND}" -DDCS_FUZZ_ACTION=fail
                     "-DDCS_FUZZ_MESSAGE=${dcs_fuzz_message}"
                     -P "${CMAKE_CURRENT_LIST_FILE}")
    set_tests_properties(fuzz_build PROPERTIES LABELS fuzz)
    return()
endif()

add_test(NAME fuzz_build
         COMMAND "${CMAKE_COMMAND}" -DDCS_FUZZ_ACTION=build
                 "-DDCS_FUZZ_SOURCE_DIR=${CMAKE_CURRENT_LIST_DIR}"
                 "-DDCS_FUZZ_BINARY_DIR=${CMAKE_BINARY_DIR}/fuzz"
                 "-DDCS_FUZZ_GENERATOR=${CMAKE_GENERATOR}"
                 "-DDCS_FUZZ_CXX=${DCS_FUZZ_CXX}"
                 "-DDCS_FUZZ_QT6_DIR=${Qt6_DIR}"
                 "-DDCS_FUZZ_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}"
                 -P "${CMAKE_CURRENT_LIST_FILE}")
set_tests_properties(fuzz_build PROPERTIES
    FIXTURES_SETUP fuzz_build
    LABELS fuzz
    TIMEOUT 1200)

# The run's own time plus room for loading the corpus and a slow, loaded machine.
math(EXPR dcs_fuzz_timeout "${DCS_FUZZ_SECONDS} + 120")
foreach(dcs_fuzz_target fuzz_httprequestparser fuzz_signaldecoder fuzz_segmentrule
                        fuzz_traitrule fuzz_partneranswer fuzz_httpresponsereader fuzz_batchline)
    add_test(NAME ${dcs_fuzz_target}
             COMMAND "${CMAKE_COMMAND}" -DDCS_FUZZ_ACTION=run
                     "-DDCS_FUZZ_TARGET=${dcs_fuzz_target}"
                     "-DDCS_FUZZ_BINARY_DIR=${CMAKE_BINARY_DIR}/fuzz"
                     "-DDCS_FUZZ_SEEDS=${CMAKE_CURRENT_LIST_DIR}/corpus/${dcs_fuzz_target}"
                     "-DDCS_FUZZ_SECONDS=${DCS_FUZZ_SECONDS}"
                     -P "${CMAKE_CURRENT_LIST_FILE}")
    set_tests_properties(${dcs_fuzz_target} PROPERTIES
        FIXTURES_REQUIRED fuzz_build
        LABELS fuzz
        TIMEOUT ${dcs_fuzz_timeout})
endforeach()
