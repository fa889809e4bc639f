//! Reading configuration files: found by walking up from a file to the repository's root.

use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE_NAMES, ConfigError, ProjectConfig, Settings};

/// A configuration file larger than this is not read: no real one comes close.
pub const MAX_CONFIG_SIZE: u64 = 1 << 20;

/// The configuration file for `start` (a file or a folder): the first `pipewarden.toml` or
/// `.github/pipewarden.toml` in its folder or above, stopping at the folder that holds the
/// repository's `.git`, or at `boundary` (the workspace root) when given.
pub fn find_config(start: &Path, boundary: Option<&Path>) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    let mut folder = if start.is_dir() { start.as_path() } else { start.parent()? };
    loop {
        for name in CONFIG_FILE_NAMES {
            let candidate = folder.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        let at_boundary = boundary.is_some_and(|boundary| folder == boundary) || folder.join(".git").exists();
        if at_boundary {
            return None;
        }
        folder = folder.parent()?;
    }
}

/// Reads and parses the configuration file at `path`. When it cannot be read or parsed, the
/// error says where; the caller reports it and uses the defaults.
pub fn load_config(path: &Path) -> Result<Settings, ConfigError> {
    let invalid = |message: String| Err(ConfigError { line: 1, message });
    let size = match std::fs::metadata(path) {
        Ok(metadata) => metadata.len(),
        Err(error) => return invalid(error.to_string()),
    };
    if size > MAX_CONFIG_SIZE {
        return invalid(format!("larger than {MAX_CONFIG_SIZE} bytes; not read"));
    }
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => return invalid(error.to_string()),
    };
    // `.github/pipewarden.toml` speaks of the repository, like one at its root.
    let folder = path.parent().unwrap_or(Path::new("."));
    let root = if folder.file_name().is_some_and(|name| name == ".github") {
        folder.parent().unwrap_or(folder)
    } else {
        folder
    };
    ProjectConfig::parse(&text).map(|config| config.into_settings(root))
}

/// When the file at `path` was last modified, to notice edits to a configuration file.
pub fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|metadata| metadata.modified()).ok()
}
