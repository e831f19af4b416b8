//! The `trainready` binary: parse arguments, set up logging, run, map the outcome to an exit code
//! (0 success, 1 a gate or verification failed, 2 the tool failed).

use std::process::ExitCode;

/// mimalloc returns freed memory to the system far better than glibc's allocator under Polars'
/// and the stages' many large, short-lived buffers (peak RSS of a 100k build: see benches/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    trainready::cli::main()
}
