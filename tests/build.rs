//! Embeds every `golden/*.json` file, so the golden tests (natively and in the browser, where
//! there is no file system) find a paper's trace file by slug without a list to keep.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo")).join("golden");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/golden exists")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".json").map(str::to_string))
        .collect();
    names.sort();
    let mut code = String::from("/// `(file stem, contents)` of every `golden/*.json`.\n");
    code.push_str("pub const GOLDEN_FILES: &[(&str, &str)] = &[\n");
    for name in names {
        let path = dir.join(format!("{name}.json"));
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a string");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("set by cargo")).join("golden_files.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
