//! `cargo afl fuzz -i seeds/records -o out/records target/release/records` (see fuzz/README.md).
fn main() {
    trainready::fuzzing::quiet_guarded_panics();
    afl::fuzz_nohook!(|data: &[u8]| {
        trainready::fuzzing::records(data);
    });
}
