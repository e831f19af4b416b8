//! `cargo afl fuzz -i seeds/release_json -o out/release_json target/release/release_json` (see fuzz/README.md).
fn main() {
    afl::fuzz!(|data: &[u8]| {
        trainready::fuzzing::release_json(data);
    });
}
