// sundial: a Prometheus-compatible monitoring server. See README.md.
#include "cli/app.h"

int main(int argc, char** argv) { return sundial::cli::RunApp(argc, argv); }
