//! The `trainready` binary: parse arguments, set up logging, run, map the outcome to an exit code
//! (0 success, 1 a gate or verification failed, 2 the tool failed).

use std::process::ExitCode;

fn main() -> ExitCode {
    trainready::cli::main()
}
