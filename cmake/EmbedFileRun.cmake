# Script half of infercost_embed_file: writes the bytes of INPUT as a char array (hex), so any
# content, quotes and all, survives.
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" length)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${hex}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT}; do not edit.\nnamespace infercost {\nextern const char ${SYMBOL}[];\nconst char ${SYMBOL}[] = {${body} '\\0'};\n}  // namespace infercost\n")
