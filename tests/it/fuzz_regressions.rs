//! Every input that ever crashed a fuzz target (`fuzz/regressions/<target>/`), and the seeds,
//! replayed through the same entry points the fuzzers call (`trainready::fuzzing`): none may
//! panic.

use crate::common::*;

#[test]
fn fuzz_regressions_and_seeds_replay_without_panicking() {
    let mut replayed = 0;
    for dir in ["regressions", "seeds"] {
        for target in ["records", "load", "spec", "release_json"] {
            let f = trainready::fuzzing::target(target).expect("a known target");
            let folder = repo().join("fuzz").join(dir).join(target);
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
            paths.sort();
            for p in paths {
                if p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                {
                    continue;
                }
                let data = std::fs::read(&p).unwrap();
                let outcome = std::panic::catch_unwind(|| f(&data));
                assert!(outcome.is_ok(), "{} panics", p.display());
                replayed += 1;
            }
        }
    }
    assert!(replayed >= 15, "only {replayed} inputs replayed");
}
