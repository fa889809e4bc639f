//! The `pipewarden` binary: the command line and the language server (`pipewarden lsp`).

// Against glibc's malloc (BENCHMARKS.md): `check` of 1,559 real workflow files takes about 8%
// less time, and a keystroke in a 12,000-line workflow 15–44% less CPU (by scenario).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read before `main`. One arena: the language server's threads share
/// it, so memory one thread frees is reused by the next analysis, whichever thread runs it
/// (with an arena per thread an open 12,000-line document cost 18–20 MiB instead of 14–16);
/// `check`'s two workers lose nothing measurable. A background thread returns freed pages to
/// the system instead of an allocation on the keystroke's path.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[unsafe(export_name = "_rjem_malloc_conf")]
static ALLOCATOR_OPTIONS: Option<&'static u8> = Some(&b"narenas:1,background_thread:true\0"[0]);

fn main() {
    give_tree_sitter_the_allocator();
    let args = std::env::args().skip(1).collect();
    std::process::exit(pipewarden::cli::run(args));
}

/// tree-sitter's C library allocates its trees with the system's malloc unless told
/// otherwise. jemalloc serves its many small allocations faster (BENCHMARKS.md: `check` of
/// 1,559 real workflow files 4–8% less CPU, a keystroke 2.7% fewer instructions); peak
/// memory is the same either way.
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
fn give_tree_sitter_the_allocator() {
    use tikv_jemalloc_sys::{calloc, free, malloc, realloc};
    // SAFETY: called first in `main`, before any parser or tree exists, so nothing one
    // allocator made is ever freed by the other.
    unsafe { tree_sitter::set_allocator(Some(tree_sitter::Allocator { malloc, calloc, realloc, free })) }
}

#[cfg(not(all(feature = "jemalloc", not(target_env = "msvc"))))]
fn give_tree_sitter_the_allocator() {}
