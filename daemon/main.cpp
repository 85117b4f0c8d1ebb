// main.cpp — wires the command line; everything else lives in the folder libraries.
#include "daemon/cli/cli.h"

int main(int argc, char** argv) { return madoguchi::daemon::run_cli(argc, argv); }
