# infercost_embed_file(OUT_VAR SYMBOL INPUT) generates a .cc that defines
#   namespace infercost { extern const char SYMBOL[] = "...file contents..."; }
# rebuilt whenever INPUT changes, and appends the generated file's path to OUT_VAR.
function(infercost_embed_file out_var symbol input)
  set(output ${CMAKE_CURRENT_BINARY_DIR}/generated/${symbol}.cc)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DSYMBOL=${symbol} -DINPUT=${input} -DOUTPUT=${output}
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFileRun.cmake
    DEPENDS ${input} ${PROJECT_SOURCE_DIR}/cmake/EmbedFileRun.cmake
    COMMENT "Embedding ${input}")
  set(${out_var} ${${out_var}} ${output} PARENT_SCOPE)
endfunction()
