#include "runner/cli.hpp"

int main(int argc, char** argv) { return squall::runner::cli_main(argc, argv); }
