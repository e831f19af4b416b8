//! One file per subcommand: its arguments (clap derive; the doc comments are the `--help` text,
//! each ending with an `Examples:` block) and its `run`, which returns the exit code: 0 success,
//! 1 blocked by a gate or a failed verification, 2 the tool failed (an `Err`).
//!
//! The doc comments of the argument structs are written for a terminal, so rustdoc's HTML and
//! link lints do not apply to them.
#![allow(rustdoc::invalid_html_tags, rustdoc::broken_intra_doc_links)]

pub mod build;
pub mod check;
pub mod dedup;
pub mod diff;
pub mod inventory;
pub mod pii;
pub mod plan;
pub mod publish;
pub mod query;
pub mod runs;
pub mod verify;

use std::io::Write;

/// Write to stdout; a closed pipe is not an error (exit 0 as ripgrep does).
pub fn out(s: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(s.as_bytes()).and_then(|()| stdout.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// One line on stderr, with any password in a URL scrubbed; a closed or full stderr is ignored
/// (never a panic, never an abort: a build whose log is piped into `head` still publishes).
pub fn err_line(s: &str) {
    let s = crate::error::scrub(s);
    let mut e = std::io::stderr().lock();
    let _ = e.write_all(s.as_bytes()).and_then(|()| e.write_all(b"\n"));
}

/// Where `dedup` and `pii` find a record's id and text.
#[derive(Debug, Clone, clap::Args)]
pub struct FieldArgs {
    /// Field (or CSV column) holding the text (default `text` when there is no messages field).
    #[arg(long, conflicts_with = "messages_field")]
    pub text_field: Option<String>,
    /// Field holding a list of {role, content} messages (default `messages`).
    #[arg(long)]
    pub messages_field: Option<String>,
    /// Field holding the record id (default `id`; absent: <file>#<record index>).
    #[arg(long, default_value = "id")]
    pub id_field: String,
}
