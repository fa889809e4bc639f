//! The syntax layer: text to tree-sitter trees, never failing on broken YAML.

pub mod errors;
pub mod queries;
mod source;
pub mod span;
pub mod yaml;

pub use source::{ByteEdit, Change, Source, parse_text};
