# Turns the price catalog YAML into a C++ source file at build time, so the binary carries its
# prices while the numbers live in one data file.
#   cmake -DINPUT=prices.yaml -DOUTPUT=cost_builtin_prices.cc -P embed_prices.cmake
cmake_policy(VERSION 3.25)
if(NOT INPUT OR NOT OUTPUT)
  message(FATAL_ERROR "embed_prices.cmake needs -DINPUT=<yaml> and -DOUTPUT=<cc>")
endif()

file(READ "${INPUT}" content)
# A raw string literal ends at )DELIMITER": refuse a file that contains it rather than emit a
# source that does not compile or, worse, compiles to something else.
set(delimiter "prices_yaml")  # a raw-string delimiter has at most 16 characters
string(FIND "${content}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter ')${delimiter}\"'")
endif()

set(source "// Generated from ${INPUT} by embed_prices.cmake; edit the YAML, not this file.
#include \"cost_builtin_prices.h\"

namespace infercost::internal {

const std::string_view kBuiltinPricesYaml = R\"${delimiter}(${content})${delimiter}\";
const std::string_view kBuiltinPricesFileName = \"exporter/data/prices.yaml\";

}  // namespace infercost::internal
")
# Write only on change so that an unchanged catalog does not recompile.
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" previous)
  if("${previous}" STREQUAL "${source}")
    return()
  endif()
endif()
file(WRITE "${OUTPUT}" "${source}")
