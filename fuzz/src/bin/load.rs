//! `cargo afl fuzz -i seeds/load -o out/load target/release/load` (see fuzz/README.md).
fn main() {
    afl::fuzz!(|data: &[u8]| {
        trainready::fuzzing::load(data);
    });
}
