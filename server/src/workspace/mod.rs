//! The files around the one being analysed: the project's configuration and lock file, and
//! (for analyses that follow references between files) the files they name.
//!
//! This is the only module below the command line that reads files, so that the rules of
//! SECURITY.md are kept in one place: what is read is named by the user or lies inside the
//! workspace, is bounded in size, and is never executed.

pub mod baseline;
mod files;
pub mod graph;
pub mod interfaces;
pub mod root;

pub use files::{MAX_CONFIG_SIZE, find_config, find_lock, load_config, load_lock, modified};
