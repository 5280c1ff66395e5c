#pragma once
// The squall command line: run, validate, check.
namespace squall::runner {

int cli_main(int argc, char** argv);

}  // namespace squall::runner
