//! The syntax layer: text to tree-sitter trees, never failing on broken YAML.

pub mod errors;
pub mod grammar;
pub mod queries;
mod source;
pub mod span;
mod tiling;
pub mod yaml;

pub use source::{ByteEdit, Source, Tile, TreeNeed, tile_at, tile_index};
pub use tiling::Tiling;
