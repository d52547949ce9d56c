#include "cli/commands.h"

int main(int argc, char** argv) { return infercost::Main(argc, argv); }
