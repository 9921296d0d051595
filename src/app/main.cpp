// sportello: the single binary (serve, migrate, demo, cf, config check). See src/app/cli.cpp.
#include "app/cli.hpp"

int main(int argc, char** argv) {
  return sp::app::run_cli(argc, argv);
}
