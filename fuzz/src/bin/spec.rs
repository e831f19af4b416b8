//! `cargo afl fuzz -i seeds/spec -o out/spec target/release/spec` (see fuzz/README.md).
fn main() {
    trainready::fuzzing::quiet_guarded_panics();
    afl::fuzz_nohook!(|data: &[u8]| {
        trainready::fuzzing::spec(data);
    });
}
