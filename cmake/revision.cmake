# Run at build time (cmake -P), by the hmmsim_revision target of the
# top-level CMakeLists.txt: writes OUT, a C file defining the git revision
# of the source tree SRC ("unknown" outside a git work tree of its own;
# "-dirty" when tracked files differ from HEAD).  FORCED, when not empty,
# is taken as it is (a packager's -DHMMSIM_REVISION=...).  OUT is rewritten
# only when its text changes, so a build without a new commit recompiles
# nothing.
set(rev unknown)
if(FORCED)
  set(rev "${FORCED}")
else()
  find_program(GIT git)
  if(GIT)
    execute_process(COMMAND ${GIT} -C ${SRC} rev-parse --show-toplevel
      OUTPUT_VARIABLE top RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    get_filename_component(src_real "${SRC}" REALPATH)
    if(rc EQUAL 0 AND top)
      get_filename_component(top_real "${top}" REALPATH)
    endif()
    # only SRC's own repository: not one it happens to be unpacked inside
    if(rc EQUAL 0 AND top AND top_real STREQUAL src_real)
      execute_process(COMMAND ${GIT} -C ${SRC} rev-parse --short=12 HEAD
        OUTPUT_VARIABLE head RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      if(rc EQUAL 0 AND head)
        set(rev "${head}")
        execute_process(COMMAND ${GIT} -C ${SRC} status --porcelain --untracked-files=no
          OUTPUT_VARIABLE changes RESULT_VARIABLE rc ERROR_QUIET)
        if(rc EQUAL 0 AND NOT changes STREQUAL "")
          string(APPEND rev "-dirty")
        endif()
      endif()
    endif()
  endif()
endif()
string(REGEX REPLACE "[^A-Za-z0-9._+-]" "_" rev "${rev}")
file(CONFIGURE OUTPUT "${OUT}" CONTENT
"/* Generated at build time by cmake/revision.cmake: do not edit. */
const char hmmsim_revision[] = \"${rev}\";
")
