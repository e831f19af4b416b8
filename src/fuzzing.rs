//! Entry points for the fuzz targets (`fuzz/`, run with cargo-afl) and for the test that replays
//! their regression corpus (`tests/it/fuzz_regressions.rs`). Each takes arbitrary bytes and
//! must return without panicking, whatever they are: every outcome (records, rejections,
//! errors) is fine, a panic is a bug.

use std::path::Path;
use std::sync::OnceLock;

use crate::load::SourcePlan;
use crate::records::{Format, ReadOptions};
use crate::spec::Overrides;

const FORMATS: [Format; 4] = [Format::Jsonl, Format::Json, Format::Csv, Format::Parquet];
const NAMES: [&str; 4] = ["x.jsonl", "x.jsonl.gz", "x.csv.zst", "x"];

/// The record reader: byte 0 picks the format, byte 1 the file name (compression by name),
/// byte 2 the batch size; the rest is the object.
pub fn records(data: &[u8]) {
    let [f, n, b, rest @ ..] = data else {
        return;
    };
    let mut opts = ReadOptions::new(FORMATS[usize::from(*f) % FORMATS.len()]);
    opts.batch_bytes = 1 + usize::from(*b) * 64;
    opts.keep_raw = true;
    if f & 0x10 != 0 {
        opts.required_columns = vec!["question".into(), "answer".into()];
    }
    let _ = crate::records::read_all(rest, NAMES[usize::from(*n) % NAMES.len()], &opts);
}

const MAPPINGS: [&str; 7] = [
    "chatml",
    "sharegpt",
    "qa",
    "turns",
    "dialog",
    "text",
    "preference",
];

/// A source of each mapping, resolved once.
fn sources() -> &'static Vec<SourcePlan> {
    static SOURCES: OnceLock<Vec<SourcePlan>> = OnceLock::new();
    SOURCES.get_or_init(|| {
        MAPPINGS
            .iter()
            .map(|m| {
                let spec = format!(
                    "[release]\nname = \"fuzz\"\nversion = \"1\"\n[[source]]\nname = \"s\"\nfamily = \"f\"\nuri = \"x\"\nmapping = \"{m}\"\nlicense = \"MIT\"\norigin = \"fuzz\"\n[source.columns]\ncontext = \"situation\"\nmetadata = [\"topic\"]\n"
                );
                crate::spec::resolve(
                    Path::new("fuzz.toml"),
                    &spec,
                    Path::new("/fuzz"),
                    &Overrides::default(),
                )
                .expect("invariant: the fuzz specs are valid")
                .sources
                .remove(0)
            })
            .collect()
    })
}

/// The loader (reader + mapping): byte 0 picks the mapping, byte 1 the format; the rest is the
/// object.
pub fn load(data: &[u8]) {
    let [m, f, rest @ ..] = data else {
        return;
    };
    let source = &sources()[usize::from(*m) % MAPPINGS.len()];
    let format = FORMATS[usize::from(*f) % FORMATS.len()];
    let mut out = crate::load::SourceLoad::default();
    if crate::load::load_object(source, "x", "x", rest, format, &mut out).is_ok() {
        crate::load::number_repeated_ids(&mut out);
        let _ = crate::load::LoadReport::of(&out);
    }
}

/// The spec parser: the bytes as a `release.toml`.
pub fn spec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = crate::spec::resolve(
        Path::new("fuzz.toml"),
        text,
        Path::new("/fuzz"),
        &Overrides::default(),
    );
}

/// `verify`'s release.json checks: the bytes as a `release.json`.
pub fn release_json(data: &[u8]) {
    let _ = crate::commands::verify::check_release_json(data, "fuzz");
}

/// The target named `name`, if there is one.
pub fn target(name: &str) -> Option<fn(&[u8])> {
    match name {
        "records" => Some(records),
        "load" => Some(load),
        "spec" => Some(spec),
        "release_json" => Some(release_json),
        _ => None,
    }
}

/// For a fuzz target's `main`, before `afl::fuzz_nohook!`: panics inside
/// [`crate::error::catch_panic`] (a dependency's decoder refusing bad bytes) are errors the code
/// handles, so the hook stays quiet for them; any other panic reaches the fuzzer's
/// `catch_unwind`, which aborts (a crash).
pub fn quiet_guarded_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if crate::error::panic_guarded() {
            crate::error::note_guarded_panic(info.location());
        } else {
            previous(info);
        }
    }));
}
