//! Compiles the vendored YAML grammar (`server/vendor/tree-sitter-yaml`, tree-sitter-yaml 0.7.2
//! with the changes its `PATCHED.md` lists) into pipewarden itself.
//!
//! The grammar is built here rather than taken from the `tree-sitter-yaml` crate so that every
//! build of pipewarden, including one from crates.io, where a `[patch]` does not apply, parses
//! with the patched scanner. Its exported symbols get a `pipewarden_` prefix: were the
//! unpatched crate linked into the same program, the linker could otherwise pick either copy.
//! The generated parser is compiled with its parse table made dense (`build/parse_table.rs`).

use std::path::{Path, PathBuf};

#[path = "build/parse_table.rs"]
mod parse_table;

/// The C functions the grammar exports: the language, and its external scanner that the
/// parser calls by name.
const SYMBOLS: &[&str] = &[
    "tree_sitter_yaml",
    "tree_sitter_yaml_external_scanner_create",
    "tree_sitter_yaml_external_scanner_destroy",
    "tree_sitter_yaml_external_scanner_scan",
    "tree_sitter_yaml_external_scanner_serialize",
    "tree_sitter_yaml_external_scanner_deserialize",
];

fn main() {
    // At run time: the script may be reused for another copy of the package.
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let src = Path::new(&manifest_dir).join("server/vendor/tree-sitter-yaml/src");
    let mut build = cc::Build::new();
    build
        .std("c11")
        .include(&src)
        // Unoptimised, the parser takes minutes on a large file: optimise it in every profile.
        .opt_level(3)
        .flag_if_supported("-Wno-unused-but-set-variable")
        .flag_if_supported("-Wno-unused-value")
        .flag_if_supported("-Wno-implicit-fallthrough");
    if std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "msvc") {
        build.flag("-utf-8");
    }
    for symbol in SYMBOLS {
        build.define(symbol, Some(format!("pipewarden_{symbol}").as_str()));
    }
    build.file(dense_parser(&src)).file(src.join("scanner.c"));
    // The folder, so that the headers and the schema `scanner.c` includes count too.
    println!("cargo::rerun-if-changed={}", src.display());
    build.compile("pipewarden-tree-sitter-yaml");
}

/// `parser.c` with a dense parse table, written to the build's output folder. It includes
/// `tree_sitter/parser.h`, found through the grammar's `src`, which the build includes.
fn dense_parser(src: &Path) -> PathBuf {
    let parser_c = std::fs::read_to_string(src.join("parser.c")).expect("the vendored grammar has src/parser.c");
    let out_dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let dense = Path::new(&out_dir).join("parser.c");
    std::fs::write(&dense, parse_table::densify(&parser_c)).expect("the build can write to OUT_DIR");
    dense
}
