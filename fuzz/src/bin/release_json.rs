//! `cargo afl fuzz -i seeds/release_json -o out/release_json target/release/release_json` (see fuzz/README.md).
fn main() {
    trainready::fuzzing::quiet_guarded_panics();
    afl::fuzz_nohook!(|data: &[u8]| {
        trainready::fuzzing::release_json(data);
    });
}
