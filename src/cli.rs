//! The command line: the top-level arguments and the subcommands (each defined with its own
//! arguments and help in [`crate::commands`]), logging, the panic hook, and the exit code.
//! Exit codes: 0 success, 1 blocked by a gate or a failed verification, 2 the tool failed. Logs
//! go to stderr; stdout is for data.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use crate::commands::{self, err_line};

/// Build versioned, training-ready releases of conversation datasets.
#[derive(Debug, Parser)]
#[command(name = "trainready", version, about, propagate_version = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
    /// Only print errors (overrides RUST_LOG).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// The subcommands, in the runbook's order (check, inventory, build, verify) and then the tools.
#[derive(Debug, Subcommand)]
pub enum Command {
    Check(commands::check::Args),
    Inventory(commands::inventory::Args),
    Plan(commands::plan::Args),
    Build(commands::build::Args),
    Publish(commands::publish::Args),
    Verify(commands::verify::Args),
    Query(commands::query::Args),
    Diff(commands::diff::Args),
    Dedup(commands::dedup::Args),
    Pii(commands::pii::Args),
    Runs(commands::runs::Args),
}

/// Parse the command line, run, and map the outcome to an exit code.
pub fn main() -> ExitCode {
    install_panic_hook();
    // The test of the panic hook (tests/it/reliability.rs) needs a panic on demand.
    if let Ok(message) = std::env::var("TRAINREADY_TEST_PANIC") {
        panic!("{message}");
    }
    let args = Args::parse();
    init_logging(args.quiet);
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            err_line(&format!("error: {e:#}"));
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                err_line(&format!("  caused by: {s}"));
                source = s.source();
            }
            ExitCode::from(2)
        }
    }
}

/// Run a parsed command.
pub fn run(args: Args) -> crate::Result<ExitCode> {
    match args.command {
        Command::Check(a) => commands::check::run(a),
        Command::Inventory(a) => commands::inventory::run(a),
        Command::Plan(a) => commands::plan::run(a),
        Command::Build(a) => commands::build::run(a),
        Command::Publish(a) => commands::publish::run(a),
        Command::Verify(a) => commands::verify::run(a),
        Command::Query(a) => commands::query::run(a),
        Command::Diff(a) => commands::diff::run(a),
        Command::Dedup(a) => commands::dedup::run(a),
        Command::Pii(a) => commands::pii::run(a),
        Command::Runs(a) => commands::runs::run(a),
    }
}

/// A panic is a bug: say so, name the command and where it happened, and exit 2 (a tool
/// failure) instead of 101. The message is cut at anything quoted (a panic on a string slice
/// quotes the string, which may be record text).
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if crate::error::panic_guarded() {
            // A decoder of untrusted bytes panicked inside `catch_panic`, which reports it as
            // bad input.
            crate::error::note_guarded_panic(info.location());
            return;
        }
        let command = std::env::args().nth(1).unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        err_line(&format!(
            "internal error (a bug in trainready {}), please report it: `trainready {}` panicked{at}: {}",
            env!("CARGO_PKG_VERSION"),
            crate::error::echo(&command),
            panic_summary(&message)
        ));
        std::process::exit(2);
    }));
}

/// A panic message without quoted parts, at most 200 characters.
fn panic_summary(message: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    for c in message.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                out.push('…');
                out.push(c);
            }
            Some(_) => {}
            None if matches!(c, '`' | '\'' | '"') => {
                quote = Some(c);
                out.push(c);
            }
            None => out.push(c),
        }
    }
    crate::error::echo(&out)
}

/// Whether an event may be logged at all (before RUST_LOG): ours at any level; the HTML
/// parser's never (at debug and trace it logs the characters it reads, i.e. record text); any
/// other crate's at warn and error only (an HTTP client logs URLs at debug).
fn event_allowed(target: &str, level: &tracing::Level) -> bool {
    if target == "trainready" || target.starts_with("trainready::") {
        return true;
    }
    if ["html5ever", "markup5ever", "html2text", "xml5ever"]
        .iter()
        .any(|t| target.starts_with(t))
    {
        return false;
    }
    *level <= tracing::Level::WARN
}

fn init_logging(quiet: bool) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = if quiet {
        EnvFilter::new("error")
    } else {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("trainready=info"))
    };
    // Whatever RUST_LOG says, other crates log warnings and errors only, and the HTML parser
    // nothing (at debug level it logs the text of the fields it parses; an HTTP client logs
    // URLs, with a password if an endpoint holds one).
    let deps =
        tracing_subscriber::filter::filter_fn(|meta| event_allowed(meta.target(), meta.level()));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .log_internal_errors(false);
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(deps)
        .with(fmt)
        .try_init();
}

#[cfg(test)]
mod tests {
    use tracing::Level;

    #[test]
    fn dependencies_log_warnings_only_and_the_html_parser_nothing() {
        assert!(super::event_allowed("trainready::load", &Level::TRACE));
        assert!(super::event_allowed("trainready", &Level::DEBUG));
        assert!(!super::event_allowed("html5ever::tokenizer", &Level::TRACE));
        assert!(!super::event_allowed(
            "html5ever::tree_builder",
            &Level::WARN
        ));
        assert!(!super::event_allowed("reqwest::connect", &Level::DEBUG));
        assert!(!super::event_allowed("object_store::client", &Level::INFO));
        assert!(super::event_allowed("object_store::client", &Level::WARN));
        assert!(!super::event_allowed("trainreadyx", &Level::DEBUG));
    }

    #[test]
    fn panic_summaries_drop_quoted_text() {
        let s = super::panic_summary(
            "byte index 3 is not a char boundary; it is inside 'é' (bytes 2..4) of `Jane Doe's note`",
        );
        assert!(!s.contains("Jane") && !s.contains('é'), "{s}");
        assert!(s.starts_with("byte index 3 is not a char boundary"), "{s}");
    }
}
