//! Embeds the blueprint catalog and the templates into the binary, so that a fresh install needs
//! no files: `cloudwright render ha-vpc --target terraform --stdout` works anywhere.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn files(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, root, out);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let name = relative.to_string_lossy().replace('\\', "/");
            out.push((name, path));
        }
    }
}

fn table(name: &str, dir: &str, keep: impl Fn(&str) -> bool, code: &mut String) {
    let root = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join(dir);
    println!("cargo:rerun-if-changed={}", root.display());
    let mut found = Vec::new();
    files(&root, &root, &mut found);
    found.retain(|(n, _)| keep(n));
    found.sort();
    writeln!(code, "pub static {name}: &[(&str, &str)] = &[").unwrap();
    for (relative, path) in found {
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            code,
            "    ({relative:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    writeln!(code, "];").unwrap();
}

fn main() {
    let mut code = String::new();
    table(
        "CATALOG",
        "blueprints",
        |n| n.ends_with(".yaml") && !n.contains('/') && !n.ends_with(".lock.yaml"),
        &mut code,
    );
    // Jinja templates, compiled by minijinja; the scaffolds beside them are copied verbatim.
    table(
        "TEMPLATES",
        "templates",
        |n| !n.starts_with("scaffold/"),
        &mut code,
    );
    table(
        "SCAFFOLDS",
        "templates/scaffold",
        |n| !n.contains("__pycache__"),
        &mut code,
    );
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
