//! `cargo afl fuzz -i seeds/load -o out/load target/release/load` (see fuzz/README.md).
fn main() {
    trainready::fuzzing::quiet_guarded_panics();
    afl::fuzz_nohook!(|data: &[u8]| {
        trainready::fuzzing::load(data);
    });
}
