//! Writes every target's seeds (from `fixtures/`) to `<dir>/<target>/<sha256 prefix>`, the
//! layout libFuzzer reads a corpus in. `cargo xtask fuzz --seed` runs it for `fuzz/corpus`.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool reports on its standard streams"
)]

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: seed_corpus <corpus dir> [TARGET]");
        return ExitCode::FAILURE;
    };
    let only = std::env::args().nth(2);
    for target in paykit_props::TARGETS {
        if only.as_deref().is_some_and(|name| name != target.name) {
            continue;
        }
        let seeds = match (target.seeds)() {
            Ok(seeds) => seeds,
            Err(error) => {
                eprintln!("{}: {error}", target.name);
                return ExitCode::FAILURE;
            }
        };
        let folder = dir.join(target.name);
        if let Err(error) = std::fs::create_dir_all(&folder) {
            eprintln!("{}: {error}", folder.display());
            return ExitCode::FAILURE;
        }
        for seed in &seeds {
            let digest = paykit_core::webhook::sha256(&seed.bytes);
            let name: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
            if let Err(error) = std::fs::write(folder.join(name), &seed.bytes) {
                eprintln!("{}: {error}", folder.display());
                return ExitCode::FAILURE;
            }
        }
        println!(
            "{:<18} {} seeds -> {}",
            target.name,
            seeds.len(),
            folder.display()
        );
    }
    ExitCode::SUCCESS
}
