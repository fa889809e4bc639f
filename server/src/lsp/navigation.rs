//! Go to definition: from a reference to another file (`uses: ./...`, `include: local:`) to
//! the file it names, found by the workspace model inside the workspace root.

use tower_lsp_server::ls_types::{GotoDefinitionResponse, Location, Range, Uri};

use super::crossfile::OpenCalls;
use super::documents::OpenDocument;
use crate::model::references::{ReferenceKind, is_pattern};
use crate::workspace::graph::{candidates, is_own};

/// The files the reference at `offset` names.
pub fn definition(crossfile: &OpenCalls, document: &mut OpenDocument, offset: usize) -> Option<GotoDefinitionResponse> {
    let report = document.report()?;
    let reference =
        report.references.iter().find(|reference| reference.at.start <= offset && offset <= reference.at.end)?;
    let root = crossfile.root_for(document.file()?)?;
    if let ReferenceKind::RepositoryWorkflow { repository } = &reference.kind
        && !is_own(root.github_repository().as_deref(), repository)
    {
        return None;
    }
    let yaml_files = if is_pattern(&reference.target) { root.yaml_files() } else { Vec::new() };
    let mut found = candidates(reference, &yaml_files)
        .into_iter()
        .filter(|(path, _)| root.read(path).is_some())
        .filter_map(|(path, _)| Uri::from_file_path(root.path().join(path)))
        .map(|uri| Location { uri, range: Range::default() });
    // A path names its first candidate (`action.yml` before `action.yaml`); a wildcard, all.
    let locations: Vec<Location> =
        if is_pattern(&reference.target) { found.collect() } else { found.next().into_iter().collect() };
    match locations.len() {
        0 => None,
        1 => locations.into_iter().next().map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(locations)),
    }
}
