//! `pipewarden threat-model` and `pipewarden matrix`: the reports on a repository, written
//! by the analysis layer and saved here, to stdout or a file.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use super::check::{self, Options};
use super::output::{Checked, Format};
use super::{EXIT_CLEAN, EXIT_ERROR, usage_error};
use crate::analysis::reports::{AnalysedFile, matrix_page, threat_model};

/// `threat-model [OPTIONS] [PATH...] [--output FILE]`: Markdown to stdout or FILE.
pub fn run_threat_model(args: &[String], out: &mut impl Write) -> i32 {
    let (options, output) = match parse("threat-model", args, "--output") {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    let (checked, io_error) = match check::analysed(&options) {
        Ok(analysed) => analysed,
        Err(code) => return code,
    };
    // A Markdown report links to nothing: it names files as they were given.
    let names = shown(&checked);
    let markdown = threat_model(&as_analysed(&checked, &names, &names));
    let written = match &output {
        Some(file) => save(file, &markdown),
        None => out.write_all(markdown.as_bytes()).is_ok(),
    };
    if written && !io_error { EXIT_CLEAN } else { EXIT_ERROR }
}

/// `matrix [OPTIONS] [PATH...] --html FILE`: the matrix page, written to FILE.
pub fn run_matrix(args: &[String]) -> i32 {
    let (options, html) = match parse("matrix", args, "--html") {
        Ok(parsed) => parsed,
        Err(code) => return code,
    };
    let Some(html) = html else {
        return usage_error("matrix needs --html FILE: it writes the matrix as one HTML page");
    };
    let (checked, io_error) = match check::analysed(&options) {
        Ok(analysed) => analysed,
        Err(code) => return code,
    };
    let page_folder = absolute(&html).parent().map(Path::to_path_buf).unwrap_or_default();
    let links: Vec<String> = checked.iter().map(|file| relative_link(&page_folder, &absolute(&file.path))).collect();
    let page = matrix_page(&as_analysed(&checked, &shown(&checked), &links));
    if save(&html, &page) && !io_error { EXIT_CLEAN } else { EXIT_ERROR }
}

/// The options `check` takes, less fixing and formats, and the value of the command's own
/// `flag`. `Err` is the exit code of a usage error, already reported.
fn parse(command: &str, args: &[String], flag: &str) -> Result<(Options, Option<PathBuf>), i32> {
    let mut rest = Vec::with_capacity(args.len());
    let mut value = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == flag {
            let Some(file) = args.next() else { return Err(usage_error(&format!("{flag} needs a file"))) };
            value = Some(PathBuf::from(file));
        } else {
            rest.push(arg.clone());
        }
    }
    let options = Options::parse(&rest).map_err(|message| usage_error(&message))?;
    if options.fix.is_some() || options.write_baseline.is_some() || options.format != Format::Text {
        return Err(usage_error(&format!("{command} takes no --format, and does not fix or write baselines")));
    }
    Ok((options, value))
}

fn shown(checked: &[Checked]) -> Vec<String> {
    checked.iter().map(|file| file.path.display().to_string()).collect()
}

fn as_analysed<'a>(checked: &'a [Checked], names: &'a [String], links: &'a [String]) -> Vec<AnalysedFile<'a>> {
    checked
        .iter()
        .zip(names.iter().zip(links))
        .map(|(file, (path, link))| AnalysedFile { path, link, text: &file.rope, report: &file.report })
        .collect()
}

fn save(file: &Path, text: &str) -> bool {
    match std::fs::write(file, text) {
        Ok(()) => true,
        Err(error) => {
            eprintln!("pipewarden: {}: {error}", file.display());
            false
        }
    }
}

/// The path from the root, without `.` and `..` components, so that two paths to the same
/// place share their prefix.
fn absolute(path: &Path) -> PathBuf {
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

/// The relative URL path from `folder` to `file`, with `/` separators.
fn relative_link(folder: &Path, file: &Path) -> String {
    let common = folder.components().zip(file.components()).take_while(|(a, b)| a == b).count();
    let ups = folder.components().count() - common;
    let downs = file.components().skip(common).map(|component| component.as_os_str().to_string_lossy().into_owned());
    std::iter::repeat_n("..".to_owned(), ups).chain(downs).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_climb_out_of_the_page_folder_and_down_to_the_file() {
        let link = relative_link(Path::new("/repo/reports"), Path::new("/repo/.github/workflows/ci.yml"));
        assert_eq!(link, "../.github/workflows/ci.yml");
        assert_eq!(relative_link(Path::new("/repo"), Path::new("/repo/ci.yml")), "ci.yml");
    }
}
