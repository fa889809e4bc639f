//! The language server.

/// Serves the Language Server Protocol over stdin and stdout until the client exits.
pub fn serve_stdio() {}
