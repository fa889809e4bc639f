//! pipewarden: a security language server and linter for CI/CD pipeline files.
//!
//! Layers point one way: [`text`] → [`syntax`] → [`model`] → [`rules`] → [`analysis`] →
//! [`lsp`] / [`cli`]. Only [`lsp`] knows LSP types; positions are converted in [`text`].

pub mod analysis;
pub mod cli;
pub mod config;
pub mod data;
#[cfg(test)]
mod fixtures;
pub mod lsp;
pub mod matrix;
pub mod model;
pub mod pins;
pub mod rules;
pub mod syntax;
pub mod text;
pub mod workspace;
