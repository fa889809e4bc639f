//! Reading configuration and lock files: found by walking up from a file to the
//! repository's root.

use std::path::{Path, PathBuf};

use crate::config::{CONFIG_FILE_NAMES, ConfigError, ProjectConfig, Settings};
use crate::pins::{LOCK_FILE, Pins};

/// A configuration file larger than this is not read: no real one comes close.
pub const MAX_CONFIG_SIZE: u64 = 1 << 20;

/// The configuration file for `start` (a file or a folder): the first `pipewarden.toml` or
/// `.github/pipewarden.toml` in its folder or above, stopping at the folder that holds the
/// repository's `.git`, or at `boundary` (the workspace root) when given.
pub fn find_config(start: &Path, boundary: Option<&Path>) -> Option<PathBuf> {
    find_above(start, boundary, &CONFIG_FILE_NAMES)
}

/// The lock file for `start`: the first `.github/pipewarden.lock` in its folder or above,
/// searched like the configuration.
pub fn find_lock(start: &Path, boundary: Option<&Path>) -> Option<PathBuf> {
    find_above(start, boundary, &[LOCK_FILE])
}

/// The first of `names` in `start`'s folder or above, up to the repository's root or
/// `boundary`.
fn find_above(start: &Path, boundary: Option<&Path>, names: &[&str]) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    let mut folder = if start.is_dir() { start.as_path() } else { start.parent()? };
    loop {
        for name in names {
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
    let text = read_bounded(path)?;
    // `.github/pipewarden.toml` speaks of the repository, like one at its root.
    let folder = path.parent().unwrap_or(Path::new("."));
    let root = if folder.file_name().is_some_and(|name| name == ".github") {
        folder.parent().unwrap_or(folder)
    } else {
        folder
    };
    ProjectConfig::parse(&text).map(|config| config.into_settings(root))
}

/// Reads and checks the lock file at `path`; an invalid one is refused whole.
pub fn load_lock(path: &Path) -> Result<Pins, ConfigError> {
    Pins::parse(&read_bounded(path)?)
}

/// The text of a small file, at most [`MAX_CONFIG_SIZE`] bytes.
fn read_bounded(path: &Path) -> Result<String, ConfigError> {
    let invalid = |message: String| ConfigError { line: 1, message };
    let size = std::fs::metadata(path).map_err(|error| invalid(error.to_string()))?.len();
    if size > MAX_CONFIG_SIZE {
        return Err(invalid(format!("larger than {MAX_CONFIG_SIZE} bytes; not read")));
    }
    std::fs::read_to_string(path).map_err(|error| invalid(error.to_string()))
}

/// When the file at `path` was last modified, to notice edits to a configuration file.
pub fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|metadata| metadata.modified()).ok()
}
