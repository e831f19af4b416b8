//! `cargo afl fuzz -i seeds/spec -o out/spec target/release/spec` (see fuzz/README.md).
fn main() {
    afl::fuzz!(|data: &[u8]| {
        trainready::fuzzing::spec(data);
    });
}
