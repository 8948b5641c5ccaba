//! Runs a harness on saved inputs without AFL: `replay HARNESS FILE...`
//! (a crash from `out/HARNESS/default/crashes/`, or a whole corpus folder).
//! Builds with plain cargo, so a finding can be debugged and minimised.

use std::path::{Path, PathBuf};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((name, paths)) = args.split_first() else {
        eprintln!("usage: replay HARNESS FILE_OR_FOLDER...");
        std::process::exit(2);
    };
    let mut files = Vec::new();
    paths.iter().for_each(|p| collect(Path::new(p), &mut files));
    for file in &files {
        let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        eprintln!("{}", file.display());
        if !errlens_fuzz::run(name, &data) {
            eprintln!("no harness `{name}`: use parse, classify or pipeline");
            std::process::exit(2);
        }
    }
    eprintln!("{} inputs passed", files.len());
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    match std::fs::read_dir(path) {
        Ok(entries) => {
            let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            paths.sort();
            paths.iter().filter(|p| p.is_file()).for_each(|p| files.push(p.clone()));
        }
        Err(_) => files.push(path.to_path_buf()),
    }
}
