//! Reading files inside a workspace root, and nothing outside it (SECURITY.md, "Rules for
//! features that follow file references"): every path is joined to the root and
//! canonicalised, and must still lie under the canonical root, so neither `..` nor a
//! symbolic link leads out; only regular files up to a size are read; walks never follow
//! links and stop at a depth and a number of files.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A file larger than this is not read: no pipeline file comes close.
pub const MAX_FILE_SIZE: u64 = 4 << 20;
/// How many YAML files a walk lists at most.
const MAX_FILES: usize = 5_000;
/// How deep a walk descends.
const MAX_DEPTH: usize = 24;
/// Folders never descended into.
const SKIPPED_DIRS: &[&str] = &[".git", "target", "node_modules"];

/// A workspace root: the repository's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    canonical: PathBuf,
}

impl Root {
    pub fn new(path: &Path) -> Option<Self> {
        let canonical = fs::canonicalize(path).ok()?;
        canonical.is_dir().then_some(Self { canonical })
    }

    /// The repository that holds `file`: the nearest folder above it with `.git`, `.github`
    /// or `.gitlab-ci.yml`, looking at most [`MAX_DEPTH`] folders up.
    pub fn around(file: &Path) -> Option<Self> {
        let file = fs::canonicalize(file).ok()?;
        let start = if file.is_dir() { file.as_path() } else { file.parent()? };
        Self::around_folder(start)
    }

    /// [`Root::around`] a folder whose path is canonical already: the folders above it are
    /// then canonical too, and none is resolved again.
    pub fn around_folder(canonical: &Path) -> Option<Self> {
        canonical
            .ancestors()
            .take(MAX_DEPTH)
            .find(|folder| [".git", ".github", ".gitlab-ci.yml"].iter().any(|marker| folder.join(marker).exists()))
            .map(|folder| Self { canonical: folder.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.canonical
    }

    /// The path of `file` from the root with `/` separators, if it lies inside.
    pub fn relative(&self, file: &Path) -> Option<String> {
        self.relative_canonical(&fs::canonicalize(file).ok()?)
    }

    /// [`Root::relative`] for a path that is canonical already, such as one [`Root::read`]
    /// returned.
    pub fn relative_canonical(&self, canonical: &Path) -> Option<String> {
        let relative = canonical.strip_prefix(&self.canonical).ok()?;
        Some(relative.to_string_lossy().replace('\\', "/"))
    }

    /// The text of the regular file at `relative` (from the root), if it resolves inside the
    /// root, is small enough and is UTF-8; with its canonical path.
    pub fn read(&self, relative: &str) -> Option<(PathBuf, String)> {
        let joined = self.canonical.join(relative);
        // Most paths asked for do not exist (a local action's `action.yml` when it has an
        // `action.yaml`): one system call says so, where resolving the path takes one per
        // folder on the way.
        fs::symlink_metadata(&joined).ok()?;
        let canonical = fs::canonicalize(joined).ok()?;
        if !canonical.starts_with(&self.canonical) {
            return None;
        }
        let text = read_regular(&canonical)?;
        Some((canonical, text))
    }

    /// [`Root::read`] for a file [`Root::yaml_files`] or [`Root::yaml_files_in`] listed. The
    /// walk followed no link, and a folder listed was resolved inside the root, so its path
    /// is not resolved again, one system call per folder on the way (the path is canonical
    /// unless that folder is reached through a link); the file itself is checked again, as it
    /// may have become a link since. Any other path is read by [`Root::read`].
    pub fn read_listed(&self, relative: &str) -> Option<(PathBuf, String)> {
        if relative.split('/').any(|part| matches!(part, "" | "." | "..")) {
            return self.read(relative);
        }
        let path = self.canonical.join(relative);
        let text = read_regular(&path)?;
        Some((path, text))
    }

    /// Every YAML file under the root, from the root, sorted; without following links,
    /// within the walk's bounds.
    pub fn yaml_files(&self) -> Vec<String> {
        let mut found = Vec::new();
        let mut pending = vec![(self.canonical.clone(), 0)];
        while let Some((dir, depth)) = pending.pop() {
            let Ok(entries) = fs::read_dir(&dir) else { continue };
            for entry in entries.filter_map(Result::ok) {
                let (path, Ok(file_type)) = (entry.path(), entry.file_type()) else { continue };
                let name = entry.file_name().to_string_lossy().into_owned();
                if file_type.is_dir() && depth < MAX_DEPTH && !SKIPPED_DIRS.contains(&name.as_str()) {
                    pending.push((path, depth + 1));
                } else if file_type.is_file() && crate::model::kind::is_yaml_path(&name) && found.len() < MAX_FILES {
                    let relative = path.strip_prefix(&self.canonical).unwrap_or(&path);
                    found.push(relative.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        found.sort();
        found
    }

    /// The YAML files directly in `folder` (from the root), from the root, sorted; links and
    /// folders are not followed.
    pub fn yaml_files_in(&self, folder: &str) -> Vec<String> {
        let joined = self.canonical.join(folder);
        let Ok(canonical) = fs::canonicalize(joined) else { return Vec::new() };
        let Ok(entries) = fs::read_dir(&canonical) else { return Vec::new() };
        if !canonical.starts_with(&self.canonical) {
            return Vec::new();
        }
        let mut found: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_ok_and(|file_type| file_type.is_file()))
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| crate::model::kind::is_yaml_path(name))
            .take(MAX_FILES)
            .map(|name| format!("{}/{name}", folder.trim_end_matches('/')))
            .collect();
        found.sort();
        found
    }

    /// `owner/repo` of the repository's `origin` on GitHub, from `.git/config`, when it says.
    pub fn github_repository(&self) -> Option<String> {
        let (_, config) = self.read(".git/config")?;
        let mut in_origin = false;
        for line in config.lines().map(str::trim) {
            if line.starts_with('[') {
                in_origin = line == "[remote \"origin\"]";
            } else if in_origin
                && let Some(url) = line.strip_prefix("url").map(|rest| rest.trim_start_matches([' ', '=']))
            {
                return repository_of_url(url.trim());
            }
        }
        None
    }
}

/// [`Root::around`] for many files, each folder looked up once: the files `check` is given
/// are many to a folder, and a look-up resolves every folder of the path and looks for the
/// markers in each folder above.
#[derive(Default)]
pub struct Roots {
    by_folder: HashMap<PathBuf, Option<Root>>,
}

impl Roots {
    pub fn around(&mut self, file: &Path) -> Option<Root> {
        // A link may lead anywhere, and a folder is its own start: those are looked up alone.
        let is_file = fs::symlink_metadata(file).is_ok_and(|metadata| metadata.is_file());
        let folder = file.parent().filter(|_| is_file);
        let Some(folder) = folder else { return Root::around(file) };
        self.by_folder.entry(folder.to_path_buf()).or_insert_with(|| Root::around(file)).clone()
    }
}

/// Canonical paths of many files, each folder resolved once: resolving a path asks the file
/// system about every folder on the way (ten system calls for a workflow of a repository
/// four folders deep), and the files `check` is given are many to a folder. Shared by the
/// threads that check them.
#[derive(Default)]
pub struct CanonicalPaths {
    folders: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
}

impl CanonicalPaths {
    /// The path of `file` with every link resolved, as [`fs::canonicalize`] gives it.
    pub fn of(&self, file: &Path) -> Option<PathBuf> {
        // A regular file is where its folder resolves to; a link may lead anywhere, and is
        // resolved alone, as is a path whose last part is no name (`..`).
        let is_file = fs::symlink_metadata(file).is_ok_and(|metadata| metadata.is_file());
        let (Some(folder), Some(name), true) = (file.parent(), file.file_name(), is_file) else {
            return fs::canonicalize(file).ok();
        };
        let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
        let known = self.folders.lock().ok().and_then(|folders| folders.get(folder).cloned());
        let canonical_folder = known.unwrap_or_else(|| {
            let resolved = fs::canonicalize(folder).ok();
            if let Ok(mut folders) = self.folders.lock() {
                folders.insert(folder.to_path_buf(), resolved.clone());
            }
            resolved
        })?;
        Some(canonical_folder.join(name))
    }
}

/// The text of the file at `path` if it is a regular file (not a link to one), small enough
/// and UTF-8.
fn read_regular(path: &Path) -> Option<String> {
    let metadata = fs::symlink_metadata(path).ok()?;
    if !metadata.is_file() || metadata.len() > MAX_FILE_SIZE {
        return None;
    }
    String::from_utf8(fs::read(path).ok()?).ok()
}

/// `owner/repo` of a GitHub remote URL (`https://github.com/owner/repo.git`,
/// `git@github.com:owner/repo`).
fn repository_of_url(url: &str) -> Option<String> {
    let (_, path) = url.split_once("github.com").filter(|(_, path)| path.starts_with(['/', ':']))?;
    let path = path[1..].trim_end_matches('/').trim_end_matches(".git");
    let mut parts = path.split('/');
    let (owner, repo) = (parts.next()?, parts.next()?);
    (!owner.is_empty() && !repo.is_empty() && parts.next().is_none()).then(|| format!("{owner}/{repo}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_outside_the_root_is_read() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crossfile");
        let root = Root::new(&fixtures.join("gitlab")).unwrap();
        assert!(root.read("ci/deploy.yml").is_some());
        assert!(root.read("../github/.github/workflows/pr.yml").is_none(), "`..` leaves the root");
        assert!(root.read("/etc/hostname").is_none(), "absolute paths are not joined to the root");
        assert!(root.read("ci").is_none(), "only regular files");
        // A listed file reads the same without resolving its path again; anything else
        // takes the checked way.
        assert_eq!(root.read_listed("ci/deploy.yml"), root.read("ci/deploy.yml"));
        assert!(root.read_listed("../github/.github/workflows/pr.yml").is_none());
        assert!(root.read_listed("/etc/hostname").is_none());
        assert!(root.read_listed("ci").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn roots_looked_up_by_folder_are_those_of_each_file() {
        let scratch = std::env::temp_dir().join(format!("pipewarden-roots-{}", std::process::id()));
        let (first, second) = (scratch.join("first"), scratch.join("second"));
        for repository in [&first, &second] {
            fs::create_dir_all(repository.join(".github/workflows")).unwrap();
            fs::write(repository.join(".github/workflows/ci.yml"), "on: push\n").unwrap();
        }
        fs::write(first.join(".github/workflows/release.yml"), "on: push\n").unwrap();
        // A link in the first repository to a workflow of the second is in the second.
        std::os::unix::fs::symlink(second.join(".github/workflows/ci.yml"), first.join(".github/workflows/linked.yml"))
            .unwrap();
        let mut roots = Roots::default();
        for name in ["ci.yml", "release.yml", "linked.yml", "missing.yml"] {
            let file = first.join(".github/workflows").join(name);
            assert_eq!(roots.around(&file), Root::around(&file), "{name}");
        }
        let linked = roots.around(&first.join(".github/workflows/linked.yml")).unwrap();
        assert_eq!(linked.path(), fs::canonicalize(&second).unwrap());
        fs::remove_dir_all(&scratch).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn canonical_paths_are_those_the_file_system_resolves() {
        let scratch = fs::canonicalize(std::env::temp_dir())
            .unwrap()
            .join(format!("pipewarden-canonical-{}", std::process::id()));
        let workflows = scratch.join("repository/.github/workflows");
        fs::create_dir_all(&workflows).unwrap();
        fs::write(workflows.join("ci.yml"), "on: push\n").unwrap();
        fs::write(scratch.join("elsewhere.yml"), "on: push\n").unwrap();
        std::os::unix::fs::symlink(scratch.join("elsewhere.yml"), workflows.join("linked.yml")).unwrap();
        // A folder reached through a link resolves to where it leads.
        std::os::unix::fs::symlink(&workflows, scratch.join("shortcut")).unwrap();
        let paths = CanonicalPaths::default();
        for file in [
            workflows.join("ci.yml"),
            workflows.join("linked.yml"),
            workflows.join("missing.yml"),
            workflows.join("../workflows/ci.yml"),
            workflows.join(".."),
            scratch.join("shortcut/ci.yml"),
            scratch.join("shortcut/linked.yml"),
        ] {
            // Twice: the second time from the folders already resolved.
            for _ in 0..2 {
                assert_eq!(paths.of(&file), fs::canonicalize(&file).ok(), "{}", file.display());
            }
        }
        fs::remove_dir_all(&scratch).unwrap();
    }

    #[test]
    fn github_remotes_name_their_repository() {
        assert_eq!(repository_of_url("https://github.com/acme/app.git").as_deref(), Some("acme/app"));
        assert_eq!(repository_of_url("git@github.com:acme/app").as_deref(), Some("acme/app"));
        assert_eq!(repository_of_url("https://gitlab.com/acme/app.git"), None);
    }
}
