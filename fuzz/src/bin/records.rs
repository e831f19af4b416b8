//! `cargo afl fuzz -i seeds/records -o out/records target/release/records` (see fuzz/README.md).
fn main() {
    afl::fuzz!(|data: &[u8]| {
        trainready::fuzzing::records(data);
    });
}
